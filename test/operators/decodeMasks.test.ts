import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { decodeMasks } from '../../core/operators/decodeMasks';
import type { PromptBatch } from '../../core/operators/PromptBatch';
import { SamTransform } from '../../core/geometry/SamTransform';
import { candidateToMask } from '../../core/masks/lowResToMask';
import type { SkippedItem } from '../../core/stream/SkippedItem';
import type { EmbeddedFrame, MaskCandidate } from '../../core/types';
import { FakeSamModel, settle, testFrame, waitFor } from './FakeSamModel';
import { sam1Embedding } from '../support/sam1Embedding';

function embedded(id: string, modelId = 'fake', width = 1024, height = 768): EmbeddedFrame {
  return {
    frame: testFrame(id, width, height),
    embedding: sam1Embedding(), // float32[1,256,64,64]
    transform: new SamTransform(width, height, 1024),
    modelId,
  };
}

describe('operators.decodeMasks', () => {
  it('validates each prompt as it encodes it: a click outside the image errors, or is skipped with onError skip', async () => {
    const model = new FakeSamModel('auto');
    const bad: PromptBatch = { embedded: embedded('img7'), prompts: [{ points: [{ x: 5000, y: 1, label: 1 }] }, { points: [{ x: 5, y: 5, label: 1 }] }] };
    await expect(lastValueFrom(from([bad]).pipe(decodeMasks(model)))).rejects.toMatchObject({ code: 'BAD_PROMPT', message: expect.stringMatching(/outside the 1024x768 image/) });
    const skipped: SkippedItem[] = [];
    const out = await lastValueFrom(from([bad]).pipe(decodeMasks(model, { bestOnly: true, onError: 'skip', errors: (s) => skipped.push(s) })));
    expect(out.map((c) => c.prompt.points?.[0].x)).toEqual([5]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0].message).toContain("'img7'");
  });

  it('emits one candidate array per batch whose mask is the disc the decoder drew', async () => {
    const model = new FakeSamModel('auto');
    model.discRadius = 160; // model frame; image is 1024 wide → same in original pixels
    const batch: PromptBatch = {
      embedded: embedded('a'),
      prompts: [{ points: [{ x: 300, y: 400, label: 1 }] }, { points: [{ x: 700, y: 200, label: 1 }] }],
    };
    const [cands] = await lastValueFrom(from([batch]).pipe(decodeMasks(model), toArray()));
    expect(cands).toHaveLength(2);
    const mask = candidateToMask(cands[0]);
    // disc of radius 160 px around (300,400): area ≈ π·160² = 80425 (low-res 4 px steps → within 3 %)
    const area = mask.data.reduce((s, v) => s + v, 0);
    expect(Math.abs(area - Math.PI * 160 * 160) / (Math.PI * 160 * 160)).toBeLessThan(0.03);
    expect(mask.data[400 * 1024 + 300]).toBe(1);
    expect(mask.data[200 * 1024 + 700]).toBe(0);
    expect(cands[1].prompt.points![0].x).toBe(700);
    expect(cands.map((c) => c.frameId)).toEqual(['a', 'a']);
    expect(cands[0].predictedIou).toBeCloseTo(0.9, 6);
  });

  it('errors when the decoder fails; with skip it reports the frame and keeps the other prompts', async () => {
    const model = new FakeSamModel('manual');
    const batch: PromptBatch = { embedded: embedded('cam-9'), prompts: [{ points: [{ x: 3, y: 3, label: 1 }] }, { points: [{ x: 9, y: 9, label: 1 }] }] };
    const p = lastValueFrom(from([batch]).pipe(decodeMasks(model)));
    await waitFor(() => model.pendingDecoderCalls === 1);
    model.settleDecoder(new Error('decoder broke'));
    await expect(p).rejects.toThrow('decoder broke');

    const skipped: SkippedItem[] = [];
    const q = lastValueFrom(from([batch]).pipe(decodeMasks(model, { onError: 'skip', errors: (s) => skipped.push(s) })));
    await waitFor(() => model.pendingDecoderCalls === 1);
    model.settleDecoder(new Error('decoder broke'));
    await waitFor(() => model.pendingDecoderCalls === 1);
    model.settleDecoder();
    const out = await q;
    expect(out.map((c) => c.prompt.points![0].x)).toEqual([9]);
    expect(skipped[0].message).toBe("decodeMasks: skipped frame 'cam-9': decoder broke");
  });

  it('refuses an embedding made by another model, naming both', async () => {
    const model = new FakeSamModel('auto');
    const batch: PromptBatch = { embedded: embedded('a', 'other-model'), prompts: [{ points: [{ x: 3, y: 3, label: 1 }] }] };
    await expect(lastValueFrom(from([batch]).pipe(decodeMasks(model)))).rejects.toThrow(/other-model/);
    expect(model.decoderCalls).toBe(0);
  });

  it('unsubscribing mid-batch starts no further runDecoder call', async () => {
    const model = new FakeSamModel('manual');
    const prompts = Array.from({ length: 5 }, (_, i) => ({ points: [{ x: 10 * i, y: 10, label: 1 as const }] }));
    const got: MaskCandidate[][] = [];
    const sub = from([{ embedded: embedded('a'), prompts }])
      .pipe(decodeMasks(model))
      .subscribe((c) => got.push(c));
    await waitFor(() => model.pendingDecoderCalls === 1);
    sub.unsubscribe();
    model.settleDecoder();
    await settle(20);
    expect(model.decoderCalls).toBe(1);
    expect(got).toEqual([]);
  });

  it("'latest' over batches: batches arriving during a decode collapse to the newest", async () => {
    const model = new FakeSamModel('manual');
    const batches = new Subject<PromptBatch>();
    const got: string[] = [];
    batches.pipe(decodeMasks(model, { policy: 'latest' })).subscribe((c) => got.push(c[0].frameId));
    const one = [{ points: [{ x: 1, y: 1, label: 1 as const }] }];
    batches.next({ embedded: embedded('t1'), prompts: one });
    await waitFor(() => model.pendingDecoderCalls === 1);
    batches.next({ embedded: embedded('t2'), prompts: one });
    batches.next({ embedded: embedded('t3'), prompts: one });
    model.settleDecoder();
    await waitFor(() => model.pendingDecoderCalls === 1);
    model.settleDecoder();
    await waitFor(() => got.length === 2);
    expect(got).toEqual(['t1', 't3']);
  });
});
