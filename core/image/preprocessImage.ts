import sharp from 'sharp';
import { SamflowError } from '../errors';
import type { Frame } from '../types';
import { SamTransform, type ResizeRule } from '../geometry/SamTransform';

/** What preprocessing needs to know of a model (its manifest entry's preprocessing fields and family's resize rule). */
export interface PreprocessSpec {
  /** Side of the square encoder input (1024). */
  readonly inputSize: number;
  /** Per-channel mean/std applied to 0–255 RGB. */
  readonly pixelMean: readonly [number, number, number];
  readonly pixelStd: readonly [number, number, number];
  /** Default 'longestSide' (SAM 1); 'square' for SAM 2. */
  readonly resize?: ResizeRule;
}

export interface PreprocessedImage {
  /** float32[1,3,S,S]: resized (long side S), normalized with the model's mean/std, zero-padded right/bottom. */
  readonly input: Float32Array;
  readonly transform: SamTransform;
}

/**
 * SAM's preprocessing: resize so the long side is `spec.inputSize` (each side `floor(side*scale+0.5)`,
 * bilinear with antialiasing as torchvision's resize on a PIL image), normalize each channel
 * `(v - mean) / std` on 0–255, and zero-pad right and bottom to a square. With `resize: 'square'`
 * (SAM 2's `SAM2Transforms`) both sides are resized to `inputSize` and nothing is padded.
 */
export async function preprocessImage(frame: Frame, spec: PreprocessSpec): Promise<PreprocessedImage> {
  const size = spec.inputSize;
  const transform = new SamTransform(frame.width, frame.height, size, spec.resize ?? 'longestSide');
  const rw = transform.resizedWidth;
  const rh = transform.resizedHeight;
  let resized: Uint8Array;
  try {
    resized =
      rw === frame.width && rh === frame.height
        ? frame.rgb
        : await sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 }, limitInputPixels: false })
            .resize(rw, rh, { fit: 'fill', kernel: 'linear' })
            .raw()
            .toBuffer();
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new SamflowError('BAD_IMAGE', `${frame.id}: ${frame.width}x${frame.height} could not be resized to ${rw}x${rh} for the encoder (${why})`, frame.id, { cause: e });
  }
  return { input: normalizeAndPad(resized, rw, rh, size, spec.pixelMean, spec.pixelStd), transform };
}

/** uint8[rh,rw,3] → float32[1,3,size,size], CHW, zero padding outside the image. */
export function normalizeAndPad(
  rgb: Uint8Array,
  rw: number,
  rh: number,
  size: number,
  mean: readonly [number, number, number],
  std: readonly [number, number, number],
): Float32Array {
  const plane = size * size;
  const out = new Float32Array(3 * plane); // float32[1,3,size,size]
  const [m0, m1, m2] = mean;
  const s0 = 1 / std[0];
  const s1 = 1 / std[1];
  const s2 = 1 / std[2];
  for (let y = 0; y < rh; y++) {
    let src = y * rw * 3;
    let dst = y * size;
    for (let x = 0; x < rw; x++, src += 3, dst++) {
      out[dst] = (rgb[src] - m0) * s0;
      out[plane + dst] = (rgb[src + 1] - m1) * s1;
      out[2 * plane + dst] = (rgb[src + 2] - m2) * s2;
    }
  }
  return out;
}
