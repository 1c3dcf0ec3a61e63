import sharp from 'sharp';
import type { BinaryMask } from '../types';
import { assertBinaryMask } from './assertBinaryMask';

/**
 * Encodes a mask as a single-channel 8-bit PNG of the mask's size: 255 inside, 0 outside.
 *
 * @param mask Row-major binary mask (any non-zero byte is inside).
 * @returns The PNG bytes.
 */
export async function maskToPng(mask: BinaryMask): Promise<Buffer> {
  assertBinaryMask(mask, 'maskToPng: mask');
  const { width, height, data } = mask;
  const gray = Buffer.alloc(width * height); // uint8[h,w,1]
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) gray[i] = 255;
  // Without toColourspace('b-w') sharp writes a 3-channel PNG from 1-channel raw input.
  return sharp(gray, { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}
