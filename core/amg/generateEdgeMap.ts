import sharp from 'sharp';
import { encodeImage } from '../model/encodeImage';
import type { SamModel } from '../model/SamModel';
import { upscaleLogits } from '../masks/lowResToMask';
import type { Frame } from '../types';
import { generateMaskCandidates, type GenerateMasksOptions } from './generateMasksProgressive';

/** Options of generateEdgeMap: AMG options (default grid 16×16, as the SAM paper's edge experiment). */
export type EdgeMapOptions = Omit<GenerateMasksOptions, 'outputMode' | 'polygons' | 'minMaskRegionArea' | 'cropNLayers'>;

/** An 8-bit edge map: uint8[height*width], 0 = no edge, 255 = the strongest edge of the image. */
export interface EdgeMap {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  /** Masks that contributed. */
  readonly maskCount: number;
}

/**
 * SAM's zero-shot edge detection (paper §7.1): prompt a 16×16 grid, keep the masks that survive
 * the AMG filters and NMS, take each mask's unthresholded probability map (sigmoid of the upscaled
 * logits), Sobel-filter it, combine by per-pixel maximum, thin with edge non-maximum suppression
 * along the gradient direction (as Canny), and scale to 0–255 by the image's strongest edge.
 */
export async function computeEdgeMap(model: SamModel, frame: Frame, opts: EdgeMapOptions = {}): Promise<EdgeMap> {
  const embedded = opts.embedded ?? (await encodeImage(model, frame));
  const candidates = await generateMaskCandidates(model, embedded, { pointsPerSide: 16, ...opts });
  const W = frame.width;
  const H = frame.height;
  const mag = new Float32Array(W * H); // float32[H,W] max Sobel magnitude over masks
  const gxBest = new Float32Array(W * H); // gradient of the mask that gave the max
  const gyBest = new Float32Array(W * H);
  const prob = new Float32Array(W * H);
  for (const c of candidates) {
    opts.signal?.throwIfAborted();
    const logits = upscaleLogits(c.lowResLogits, c.transform); // float32[H,W]
    for (let i = 0; i < prob.length; i++) prob[i] = 1 / (1 + Math.exp(-logits[i]));
    for (let y = 0; y < H; y++) {
      const ym = y > 0 ? y - 1 : 0;
      const yp = y < H - 1 ? y + 1 : H - 1;
      for (let x = 0; x < W; x++) {
        const xm = x > 0 ? x - 1 : 0;
        const xp = x < W - 1 ? x + 1 : W - 1;
        const a = prob[ym * W + xm],
          b = prob[ym * W + x],
          cc = prob[ym * W + xp];
        const d = prob[y * W + xm],
          f = prob[y * W + xp];
        const g = prob[yp * W + xm],
          h = prob[yp * W + x],
          k = prob[yp * W + xp];
        const gx = cc + 2 * f + k - (a + 2 * d + g);
        const gy = g + 2 * h + k - (a + 2 * b + cc);
        const m = Math.hypot(gx, gy);
        const i = y * W + x;
        if (m > mag[i]) {
          mag[i] = m;
          gxBest[i] = gx;
          gyBest[i] = gy;
        }
      }
    }
  }
  const thin = edgeNonMaxSuppression(mag, gxBest, gyBest, W, H);
  let max = 0;
  for (let i = 0; i < thin.length; i++) if (thin[i] > max) max = thin[i]!;
  const data = new Uint8Array(W * H); // uint8[H,W]
  if (max > 0) for (let i = 0; i < thin.length; i++) data[i] = Math.round((thin[i] / max) * 255);
  return { width: W, height: H, data, maskCount: candidates.length };
}

/**
 * Edge thinning (Canny's non-maximum suppression): a pixel keeps its magnitude only when it is >=
 * both neighbours along its gradient direction (quantised to 0°, 45°, 90°, 135°), else 0.
 */
export function edgeNonMaxSuppression(mag: Float32Array, gx: Float32Array, gy: Float32Array, W: number, H: number): Float32Array {
  const out = new Float32Array(W * H); // float32[H,W]
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= W || y >= H ? 0 : mag[y * W + x]);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const m = mag[i];
      if (m === 0) continue;
      let angle = (Math.atan2(gy[i], gx[i]) * 180) / Math.PI;
      if (angle < 0) angle += 180;
      let dx: number, dy: number;
      if (angle < 22.5 || angle >= 157.5) [dx, dy] = [1, 0];
      else if (angle < 67.5) [dx, dy] = [1, 1];
      else if (angle < 112.5) [dx, dy] = [0, 1];
      else [dx, dy] = [-1, 1];
      if (m >= at(x + dx, y + dy) && m >= at(x - dx, y - dy)) out[i] = m;
    }
  }
  return out;
}

/** computeEdgeMap encoded as an 8-bit single-channel PNG. */
export async function generateEdgeMap(model: SamModel, frame: Frame, opts: EdgeMapOptions = {}): Promise<Buffer> {
  const e = await computeEdgeMap(model, frame, opts);
  return sharp(e.data, { raw: { width: e.width, height: e.height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}
