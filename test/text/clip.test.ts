import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SamflowError } from '../../core/errors';
import { CLIP_IMAGE_SPEC, loadClipModel, maskCropWindow, maskedCropToClipInput, rankMasksByText, type ClipModel } from '../../core/text';
import type { BinaryMask, Frame } from '../../core/types';
import { TOKEN, writeTinyClip } from './tinyClip';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'samflow-clip-'));
const folder = path.join(root, 'tiny-clip');
writeTinyClip(folder, { imageSize: 32 });

// A 60x20 image: red square x 0..19, green x 20..39, blue x 40..59 (rows 5..14); white elsewhere.
const W = 60;
const H = 20;
function scene(): { frame: Frame; masks: BinaryMask[] } {
  const rgb = new Uint8Array(W * H * 3).fill(255);
  const masks = [0, 1, 2].map(() => ({ width: W, height: H, data: new Uint8Array(W * H) }));
  for (let y = 5; y < 15; y++) {
    for (let x = 0; x < W; x++) {
      const k = Math.floor(x / 20);
      if (x % 20 < 5 || x % 20 >= 15) continue;
      const i = y * W + x;
      rgb.fill(0, i * 3, i * 3 + 3);
      rgb[i * 3 + k] = 255;
      masks[k].data[i] = 1;
    }
  }
  return { frame: { id: 'rgb', width: W, height: H, rgb }, masks };
}

describe('CLIP text prompts with a tiny CLIP built in the test', () => {
  let clip: ClipModel;
  beforeAll(async () => {
    clip = await loadClipModel(folder, { batchSize: 2 });
  });
  afterAll(async () => {
    await clip?.release();
  });

  it('tokenizes with the CLIP tokenizer: BOS/EOS added, lower-cased, padded with EOS', async () => {
    const t = await clip.tokenize(['a red cat', 'Blue']);
    expect([t.batch, t.length]).toEqual([2, 5]);
    expect(Array.from(t.inputIds, Number)).toEqual([TOKEN.start, TOKEN.a, TOKEN.red, TOKEN.cat, TOKEN.end, TOKEN.start, TOKEN.blue, TOKEN.end, TOKEN.end, TOKEN.end]);
    expect(Array.from(t.attentionMask, Number)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    await expect(clip.tokenize([''])).rejects.toThrowError(/non-empty strings/);
  });

  it('embeds texts as unit vectors through the text ONNX tower', async () => {
    const [red, green, redCat] = await clip.embedTexts(['red', 'GREEN', 'red cat']);
    expect(Array.from(red)).toEqual([1, 0, 0]);
    expect(Array.from(green)).toEqual([0, 1, 0]);
    // mean of red (1,0,0) and cat (.5,.5,.5) → (1.5,.5,.5)/|…|
    const n = Math.sqrt(1.5 ** 2 + 0.25 + 0.25);
    expect(Array.from(redCat).map((v) => v.toFixed(5))).toEqual([1.5 / n, 0.5 / n, 0.5 / n].map((v) => v.toFixed(5)));
  });

  it('crops around the mask, greys out everything else to the CLIP mean and normalises', async () => {
    const { frame, masks } = scene();
    // The red block is x 5..14, y 5..14 (10x10); context 0.1 → side 12, centred at (10, 10).
    expect(maskCropWindow(masks[0], 0.1)).toEqual({ x0: 4, y0: 4, side: 12 });
    const px = await maskedCropToClipInput(frame, masks[0], CLIP_IMAGE_SPEC, { context: 0 });
    const S = CLIP_IMAGE_SPEC.size;
    expect(px!.length).toBe(3 * S * S);
    const centre = (c: number) => px![c * S * S + (S / 2) * S + S / 2];
    expect(centre(0)).toBeCloseTo((1 - 0.48145466) / 0.26862954, 3);
    expect(centre(1)).toBeCloseTo((0 - 0.4578275) / 0.26130258, 3);
    const empty = { width: W, height: H, data: new Uint8Array(W * H) };
    expect(await maskedCropToClipInput(frame, empty, CLIP_IMAGE_SPEC)).toBeUndefined();
  });

  it('ranks masks by a text: "red" → red first; minSimilarity drops the others; topK caps', async () => {
    const { frame, masks } = scene();
    const byText = async (text: string, opts = {}) => (await rankMasksByText(clip, frame, masks, (m) => m, text, opts)).map((r) => r.index);
    expect((await byText('red'))[0]).toBe(0);
    expect((await byText('green'))[0]).toBe(1);
    expect((await byText('a blue cat'))[0]).toBe(2);
    expect(await byText('red', { minSimilarity: 0 })).toEqual([0]);
    expect(await byText('blue', { topK: 2 })).toHaveLength(2);
    const ranked = await rankMasksByText(clip, frame, masks, (m) => m, 'red');
    // red crop mean ≈ ((1-m0)/s0, -m1/s1, -m2/s2) scaled by the mask's share of the window; cosine with (1,0,0):
    const v = [(1 - 0.48145466) / 0.26862954, -0.4578275 / 0.26130258, -0.40821073 / 0.27577711];
    expect(ranked[0].similarity).toBeCloseTo(v[0] / Math.hypot(...v), 2);
  });

  it('gives the same embeddings whatever the batch size (3 crops in batches of 2 vs 8)', async () => {
    const { frame, masks } = scene();
    const crops = await Promise.all(masks.map((m) => maskedCropToClipInput(frame, m, clip.imageSpec)));
    const small = await clip.embedImages(crops as Float32Array[]);
    const big = await loadClipModel(folder, { batchSize: 8 });
    try {
      const all = await big.embedImages(crops as Float32Array[]);
      expect(small.map((e) => Array.from(e).map((v) => v.toFixed(5)))).toEqual(all.map((e) => Array.from(e).map((v) => v.toFixed(5))));
    } finally {
      await big.release();
    }
  });
});

describe('loadClipModel errors', () => {
  it('names the missing folder and how to get a CLIP model', async () => {
    const missing = path.join(root, 'nope');
    const err = await loadClipModel(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SamflowError);
    expect((err as SamflowError).code).toBe('MODEL_NOT_FOUND');
    expect((err as SamflowError).message).toContain(missing);
    expect((err as SamflowError).message).toContain('Xenova/clip-vit-base-patch32');
  });

  it('names the missing file in an incomplete folder', async () => {
    const partial = path.join(root, 'partial');
    writeTinyClip(partial);
    fs.rmSync(path.join(partial, 'onnx', 'vision_model.onnx'));
    await expect(loadClipModel(partial)).rejects.toThrowError(/lacks onnx\/vision_model.onnx or onnx\/vision_model_quantized.onnx/);
  });

  it('feeds attention_mask when the text tower takes one, and refuses use after release', async () => {
    const withMask = path.join(root, 'with-mask');
    writeTinyClip(withMask, { withAttentionMask: true });
    const clip = await loadClipModel(withMask);
    expect(Array.from((await clip.embedTexts(['blue']))[0])).toEqual([0, 0, 1]);
    await clip.release();
    await expect(clip.embedTexts(['blue'])).rejects.toThrowError(/released/);
  });
});
