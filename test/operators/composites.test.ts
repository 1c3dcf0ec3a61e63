import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { segmentEverything, type FrameRecords } from '../../core/operators/segmentEverything';
import { generateMasks } from '../../core/amg/generateMasks';
import { instanceMasks } from '../../core/operators/instanceMasks';
import { SamTransform } from '../../core/geometry/SamTransform';
import { rleToMask } from '../../core/masks/rleToMask';
import type { SkippedItem } from '../../core/stream/SkippedItem';
import type { CompressedRle, EmbeddedFrame } from '../../core/types';
import { FakeSamModel, settle, testFrame, waitFor } from './FakeSamModel';
import { sam1Embedding } from '../support/sam1Embedding';

function embedded(id: string): EmbeddedFrame {
  return { frame: testFrame(id), embedding: sam1Embedding(), transform: new SamTransform(1024, 768), modelId: 'fake' };
}

describe('operators.segmentEverything (fake decoder: a disc of radius 160 px around each click)', () => {
  it('a 2x2 grid gives 4 separate discs as SA-1B records', async () => {
    const model = new FakeSamModel('auto');
    const [out] = await lastValueFrom(from([embedded('a')]).pipe(segmentEverything(model, { pointsPerSide: 2 }), toArray()));
    expect(out.frame.id).toBe('a');
    expect(model.decoderCalls).toBe(4);
    expect(out.records).toHaveLength(4);
    const expected = Math.PI * 160 * 160;
    for (const r of out.records) {
      expect(Math.abs(r.area - expected) / expected).toBeLessThan(0.03);
      const [[px, py]] = r.point_coords as [[number, number]];
      const m = rleToMask(r.segmentation as CompressedRle);
      expect(m.data[Math.round(py) * 1024 + Math.round(px)]).toBe(1);
    }
    const centres = out.records.map((r) => r.point_coords[0]).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    expect(centres).toEqual([
      [256, 192],
      [256, 576],
      [768, 192],
      [768, 576],
    ]);
  });

  it("gives generateMasks' records, with crop layers and skipCovered too", async () => {
    const cases = [{ pointsPerSide: 4 }, { pointsPerSide: 4, cropNLayers: 1 }, { pointsPerSide: 4, skipCovered: true, stabilityScoreThresh: 0 }];
    for (const opts of cases) {
      const model = new FakeSamModel('auto');
      const e = embedded('a');
      const [out] = await lastValueFrom(from([e]).pipe(segmentEverything(model, opts), toArray()));
      const reference = await generateMasks(new FakeSamModel('auto'), e.frame, { ...opts, embedded: e });
      expect(out.records.length).toBeGreaterThan(0);
      expect(out.records).toEqual(reference);
    }
  });

  it('overlapping discs are merged by NMS and low predicted IoU removes everything', async () => {
    const model = new FakeSamModel('auto');
    model.discRadius = 600; // every disc covers nearly the whole image → same box
    const [out] = await lastValueFrom(from([embedded('a')]).pipe(segmentEverything(model, { pointsPerSide: 2, stabilityScoreThresh: 0 }), toArray()));
    expect(out.records.length).toBeLessThan(4);
    model.predictedIou = 0.5;
    const [none] = await lastValueFrom(from([embedded('b')]).pipe(segmentEverything(model, { pointsPerSide: 2 }), toArray()));
    expect(none.records).toEqual([]);
  });

  it('a decoder error errors the stream, or skips the frame with onError skip', async () => {
    const model = new FakeSamModel('auto');
    model.failDecoder = new Error('decoder gone');
    await expect(lastValueFrom(from([embedded('a')]).pipe(segmentEverything(model, { pointsPerSide: 2 })))).rejects.toThrow('decoder gone');
    const skipped: SkippedItem[] = [];
    const out = await lastValueFrom(from([embedded('x')]).pipe(segmentEverything(model, { pointsPerSide: 2, onError: 'skip', errors: (s) => skipped.push(s) }), toArray()));
    expect(out).toEqual([]);
    expect(skipped[0].message).toBe("segmentEverything: skipped frame 'x': decoder gone");
  });

  it("unsubscribing mid-frame makes no further decoder call; 'latest' drops frames waiting behind a slow one", async () => {
    const model = new FakeSamModel('manual');
    const sub = from([embedded('a')])
      .pipe(segmentEverything(model, { pointsPerSide: 4 }))
      .subscribe();
    // AMG keeps two groups (one point each here) in flight
    await waitFor(() => model.pendingDecoderCalls === 2);
    model.settleDecoder();
    await waitFor(() => model.decoderCalls === 3 && model.pendingDecoderCalls === 2);
    sub.unsubscribe();
    model.settleDecoder();
    model.settleDecoder();
    await settle(20);
    expect(model.decoderCalls).toBe(3); // the two in flight finish; nothing new starts
    expect(model.pendingDecoderCalls).toBe(0);

    const m2 = new FakeSamModel('manual');
    const frames = new Subject<EmbeddedFrame>();
    const got: FrameRecords[] = [];
    frames.pipe(segmentEverything(m2, { pointsPerSide: 1, policy: 'latest' })).subscribe((r) => got.push(r));
    frames.next(embedded('e1'));
    await waitFor(() => m2.pendingDecoderCalls === 1);
    frames.next(embedded('e2'));
    frames.next(embedded('e3'));
    m2.settleDecoder();
    await waitFor(() => m2.pendingDecoderCalls === 1);
    m2.settleDecoder();
    await waitFor(() => got.length === 2);
    expect(got.map((g) => g.frame.id)).toEqual(['e1', 'e3']);
  });
});

describe('operators.instanceMasks (fake decoder, function detector)', () => {
  it('one instance per detected box, with class and score, best score first', async () => {
    const model = new FakeSamModel('auto');
    model.discRadius = 100;
    const detector = () => [
      { bbox: [400, 300, 200, 200], class: 'cat', score: 0.4 },
      { bbox: [50, 50, 200, 200], class: 'dog', score: 0.9 },
    ];
    const [out] = await lastValueFrom(from([embedded('a')]).pipe(instanceMasks(model, detector), toArray()));
    expect(out.instances.map((i) => [i.record.class, i.record.score])).toEqual([
      ['dog', 0.9],
      ['cat', 0.4],
    ]);
    // the fake draws a disc at the box centre (150,150) with radius 100
    const m = out.instances[0].mask;
    expect(m.data[150 * 1024 + 150]).toBe(1);
    expect(m.data[150 * 1024 + 260]).toBe(0);
  });

  it('a failing detector errors the stream, or the frame is skipped', async () => {
    const model = new FakeSamModel('auto');
    const detector = async () => {
      throw new Error('no detector today');
    };
    await expect(lastValueFrom(from([embedded('a')]).pipe(instanceMasks(model, detector)))).rejects.toThrow('no detector today');
    const skipped: SkippedItem[] = [];
    await lastValueFrom(from([embedded('a')]).pipe(instanceMasks(model, detector, { onError: 'skip', errors: (s) => skipped.push(s) }), toArray()));
    expect(skipped).toHaveLength(1);
    expect(model.decoderCalls).toBe(0);
  });
});
