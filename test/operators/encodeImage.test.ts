import { describe, expect, it } from 'vitest';
import { from, Subject, lastValueFrom, toArray } from 'rxjs';
import { encodeImage } from '../../core/operators/encodeImage';
import { EmbeddingCache } from '../../core/model/EmbeddingCache';
import type { StageStats } from '../../core/stream/StageStats';
import type { SkippedItem } from '../../core/stream/SkippedItem';
import type { EmbeddedFrame, Frame } from '../../core/types';
import { FakeSamModel, settle, testFrame, waitFor } from './FakeSamModel';

describe('operators.encodeImage', () => {
  it('emits one EmbeddedFrame per frame, in order, with the model id and transform', async () => {
    const model = new FakeSamModel('auto');
    const out = await lastValueFrom(from([testFrame('a'), testFrame('b', 512, 256)]).pipe(encodeImage(model), toArray()));
    expect(out.map((e) => e.frame.id)).toEqual(['a', 'b']);
    expect(out.map((e) => e.modelId)).toEqual(['fake', 'fake']);
    expect(out.map((e) => e.embedding.tensors.image_embeddings.data[0])).toEqual([1, 2]);
    expect(out[1].transform.resizedWidth).toBe(1024);
    expect(out[1].transform.resizedHeight).toBe(512);
  });

  it('errors the stream with the encoder error by default', async () => {
    const model = new FakeSamModel('auto');
    model.failEncoder = new Error('encoder exploded');
    await expect(lastValueFrom(from([testFrame('a')]).pipe(encodeImage(model)))).rejects.toThrow('encoder exploded');
  });

  it("with onError 'skip' reports the frame id and keeps the stream alive", async () => {
    const model = new FakeSamModel('manual');
    const skipped: SkippedItem[] = [];
    const frames = new Subject<Frame>();
    const got: string[] = [];
    let done = false;
    frames.pipe(encodeImage(model, { onError: 'skip', errors: (s) => skipped.push(s) })).subscribe({
      next: (e) => got.push(e.frame.id),
      complete: () => (done = true),
    });
    frames.next(testFrame('cam-1'));
    frames.next(testFrame('cam-2'));
    frames.complete();
    await waitFor(() => model.pendingEncoderCalls === 1);
    model.settleEncoder(new Error('bad pixels'));
    await waitFor(() => model.pendingEncoderCalls === 1);
    model.settleEncoder();
    await waitFor(() => done);
    expect(got).toEqual(['cam-2']);
    expect(skipped.map((s) => s.message)).toEqual(["encodeImage: skipped frame 'cam-1': bad pixels"]);
  });

  it('after unsubscribe calls runEncoder no more and drops the late result', async () => {
    const model = new FakeSamModel('manual');
    const frames = new Subject<Frame>();
    const got: EmbeddedFrame[] = [];
    const sub = frames.pipe(encodeImage(model, { policy: 'all' })).subscribe((e) => got.push(e));
    frames.next(testFrame('a'));
    frames.next(testFrame('b'));
    frames.next(testFrame('c'));
    await waitFor(() => model.pendingEncoderCalls === 1);
    sub.unsubscribe();
    model.settleEncoder();
    await settle(20);
    expect(model.encoderCalls).toBe(1);
    expect(got).toEqual([]);
    expect(model.released).toBe(false);
  });

  it("'latest' encodes the newest frame when the encoder frees up and counts drops", async () => {
    const model = new FakeSamModel('manual');
    const frames = new Subject<Frame>();
    const got: string[] = [];
    const stats: StageStats[] = [];
    frames.pipe(encodeImage(model, { policy: 'latest', stats: (s) => stats.push(s) })).subscribe((e) => got.push(e.frame.id));
    frames.next(testFrame('f1'));
    await waitFor(() => model.pendingEncoderCalls === 1);
    for (const id of ['f2', 'f3', 'f4']) frames.next(testFrame(id));
    model.settleEncoder();
    await waitFor(() => model.pendingEncoderCalls === 1);
    model.settleEncoder();
    await waitFor(() => got.length === 2);
    expect(got).toEqual(['f1', 'f4']);
    expect(model.encoderCalls).toBe(2);
    expect(stats.filter((s) => s.event === 'drop').map((s) => s.itemId)).toEqual(['f2', 'f3']);
    expect(stats[stats.length - 1].dropped).toBe(2);
    expect(stats.filter((s) => s.event === 'out').every((s) => (s.latencyMs ?? -1) >= 0)).toBe(true);
  });

  it('{queue: 2} keeps the two newest waiting frames', async () => {
    const model = new FakeSamModel('manual');
    const frames = new Subject<Frame>();
    const got: string[] = [];
    frames.pipe(encodeImage(model, { policy: { queue: 2 } })).subscribe((e) => got.push(e.frame.id));
    frames.next(testFrame('f1'));
    await waitFor(() => model.pendingEncoderCalls === 1);
    for (const id of ['f2', 'f3', 'f4']) frames.next(testFrame(id));
    for (let i = 0; i < 3; i++) {
      await waitFor(() => model.pendingEncoderCalls === 1);
      model.settleEncoder();
    }
    await waitFor(() => got.length === 3);
    expect(got).toEqual(['f1', 'f3', 'f4']);
  });

  it('a shared EmbeddingCache encodes a frame once for two branches', async () => {
    const model = new FakeSamModel('auto');
    const cache = new EmbeddingCache({ maxEntries: 4 });
    const frame = testFrame('shared');
    const [a, b] = await Promise.all([lastValueFrom(from([frame]).pipe(encodeImage(model, { cache }))), lastValueFrom(from([frame]).pipe(encodeImage(model, { cache })))]);
    expect(model.encoderCalls).toBe(1);
    expect(a).toBe(b);
    expect(cache.size).toBe(1);
  });
});
