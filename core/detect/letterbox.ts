import sharp from 'sharp';
import type { Frame } from '../types';

/** A frame fitted into a square detector input, keeping its aspect ratio (top-left, zero padding). */
export interface Letterboxed {
  /** float32[1,size,size,3] RGB 0–255 (NHWC, what tfjs graph models take). */
  readonly input: Float32Array;
  readonly size: number;
  /** Input pixels per original pixel (same on both axes). */
  readonly scale: number;
  readonly resizedWidth: number;
  readonly resizedHeight: number;
}

/** The letterbox geometry for an image of `width`×`height` fitted into `size`×`size`. */
export function letterboxGeometry(width: number, height: number, size: number): { scale: number; resizedWidth: number; resizedHeight: number } {
  const scale = size / Math.max(width, height);
  return {
    scale,
    resizedWidth: Math.max(1, Math.min(size, Math.round(width * scale))),
    resizedHeight: Math.max(1, Math.min(size, Math.round(height * scale))),
  };
}

/**
 * Resizes the frame so its long side is `size` (bilinear), places it top-left on a black
 * `size`×`size` canvas. Stretching instead distorts shapes: the skimage cat is then called a dog.
 */
export async function letterboxFrame(frame: Frame, size = 512): Promise<Letterboxed> {
  const g = letterboxGeometry(frame.width, frame.height, size);
  const resized = await sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .resize(g.resizedWidth, g.resizedHeight, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  const input = new Float32Array(size * size * 3); // float32[1,size,size,3]
  const rowLen = g.resizedWidth * 3;
  for (let y = 0; y < g.resizedHeight; y++) {
    const src = y * rowLen;
    const dst = y * size * 3;
    for (let i = 0; i < rowLen; i++) input[dst + i] = resized[src + i]!;
  }
  return { input, size, ...g };
}
