import sharp from 'sharp';
import { SamflowError } from '../errors';
import type { BinaryMask, Frame } from '../types';
import type { ClipImageSpec } from './clipPreprocessing';

export interface MaskedCropOptions {
  /** Margin around the mask's box, as a fraction of the box's long side, on each side. Default 0.1. */
  readonly context?: number;
}

/** The square crop window [x0, y0, side] around a mask (may extend past the image), or undefined for an empty mask. */
export function maskCropWindow(mask: BinaryMask, context = 0.1): { x0: number; y0: number; side: number } | undefined {
  const { width: w, height: h, data } = mask;
  let minX = w,
    minY = h,
    maxX = -1,
    maxY = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[y * w + x]) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  if (maxX < 0) return undefined;
  const bw = maxX - minX + 1;
  const bh = maxY - minY + 1;
  const side = Math.max(1, Math.round(Math.max(bw, bh) * (1 + 2 * context)));
  const cx = (minX + maxX + 1) / 2;
  const cy = (minY + maxY + 1) / 2;
  return { x0: Math.round(cx - side / 2), y0: Math.round(cy - side / 2), side };
}

/**
 * One candidate mask as CLIP vision input: a square window around the mask's box (plus `context`),
 * every pixel outside the mask (or outside the image) replaced by CLIP's mean colour, so it
 * normalises to 0 and only the object speaks; resized to `spec.size` (bicubic) and normalised.
 * Returns float32[3,S,S] (CHW), or undefined for an empty mask.
 */
export async function maskedCropToClipInput(frame: Frame, mask: BinaryMask, spec: ClipImageSpec, opts: MaskedCropOptions = {}): Promise<Float32Array | undefined> {
  if (mask.width !== frame.width || mask.height !== frame.height) {
    throw new SamflowError(
      'BAD_OPTION',
      `masked crop: the mask is ${mask.width}x${mask.height} but the image ${frame.id} is ${frame.width}x${frame.height}; give masks of the image's size`,
    );
  }
  const context = opts.context ?? 0.1;
  if (!(Number.isFinite(context) && context >= 0)) throw new SamflowError('BAD_OPTION', `masked crop: context must be a number >= 0, got ${String(opts.context)}`);
  const win = maskCropWindow(mask, context);
  if (!win) return undefined;
  const { x0, y0, side } = win;
  const grey = spec.mean.map((m) => Math.round(m * 255)) as [number, number, number];
  const crop = Buffer.alloc(side * side * 3); // uint8[side,side,3]
  for (let y = 0; y < side; y++) {
    const sy = y0 + y;
    for (let x = 0; x < side; x++) {
      const sx = x0 + x;
      const o = (y * side + x) * 3;
      if (sx >= 0 && sy >= 0 && sx < frame.width && sy < frame.height && mask.data[sy * frame.width + sx]) {
        const i = (sy * frame.width + sx) * 3;
        crop[o] = frame.rgb[i]!;
        crop[o + 1] = frame.rgb[i + 1]!;
        crop[o + 2] = frame.rgb[i + 2]!;
      } else {
        crop[o] = grey[0];
        crop[o + 1] = grey[1];
        crop[o + 2] = grey[2];
      }
    }
  }
  const S = spec.size;
  const resized = await sharp(crop, { raw: { width: side, height: side, channels: 3 } })
    .resize(S, S, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer();
  const out = new Float32Array(3 * S * S); // float32[3,S,S]
  for (let c = 0; c < 3; c++) {
    const m = spec.mean[c];
    const s = spec.std[c];
    for (let p = 0; p < S * S; p++) out[c * S * S + p] = (resized[p * 3 + c] / 255 - m) / s;
  }
  return out;
}
