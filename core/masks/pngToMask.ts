import sharp from 'sharp';
import { SamflowError } from '../errors';
import type { BinaryMask } from '../types';

/**
 * Reads a mask image (PNG, or any format sharp decodes: JPEG, WebP, TIFF, GIF; not BMP) into a
 * {@link BinaryMask}: the image is converted to 8-bit grayscale (alpha dropped) and pixels
 * `> threshold` are inside. Used for ground-truth masks and for round-tripping {@link maskToPng}.
 *
 * @param input Encoded image bytes or a file path.
 * @param threshold Gray level above which a pixel is inside (default 127).
 * @throws SamflowError('BAD_IMAGE') naming the file when it cannot be decoded.
 */
export async function pngToMask(input: Buffer | Uint8Array | string, threshold = 127): Promise<BinaryMask> {
  const source = typeof input === 'string' ? input : 'mask buffer';
  if (!Number.isFinite(threshold)) {
    throw new SamflowError('BAD_OPTION', `pngToMask: threshold must be a number (0..255), got ${threshold}.`);
  }
  let raw: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    raw = await sharp(input).removeAlpha().toColourspace('b-w').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new SamflowError(
      'BAD_IMAGE',
      `pngToMask: cannot decode ${source} as an image (${(e as Error).message}); give a PNG, JPEG, WebP, TIFF or GIF mask.`,
      typeof input === 'string' ? input : undefined,
      { cause: e },
    );
  }
  const { width, height, channels } = raw.info;
  const data = new Uint8Array(width * height); // uint8[h,w]
  const src = raw.data;
  for (let i = 0, j = 0; i < data.length; i++, j += channels) data[i] = src[j] > threshold ? 1 : 0;
  return { width, height, data };
}
