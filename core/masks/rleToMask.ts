import type { BinaryMask, CompressedRle, UncompressedRle } from '../types';
import { toUncompressedRle } from './toUncompressedRle';

/**
 * Decodes COCO RLE (compressed string or uncompressed counts, as pycocotools `decode`) into a
 * row-major {@link BinaryMask}. Exact inverse of {@link maskToRle} (+ {@link compressRle}).
 *
 * @param rle `{ size: [h, w], counts }`; counts are column-major runs starting with 0s.
 * @returns A mask of `width = size[1]`, `height = size[0]`, 1 inside.
 */
export function rleToMask(rle: UncompressedRle | CompressedRle): BinaryMask {
  const { size, counts } = toUncompressedRle(rle, 'rleToMask');
  const h = size[0];
  const w = size[1];
  // Fill the runs of ones contiguously in column-major order, then transpose in cache-sized tiles.
  const colMajor = new Uint8Array(w * h); // uint8[w,h]
  let pos = 0;
  for (let r = 0; r < counts.length; r++) {
    const len = counts[r];
    if ((r & 1) === 1 && len > 0) colMajor.fill(1, pos, pos + len);
    pos += len;
  }
  const data = new Uint8Array(w * h); // uint8[h,w]
  const T = 64;
  for (let x0 = 0; x0 < w; x0 += T) {
    const x1 = Math.min(w, x0 + T);
    for (let y0 = 0; y0 < h; y0 += T) {
      const y1 = Math.min(h, y0 + T);
      for (let x = x0; x < x1; x++) {
        for (let y = y0, src = x * h + y0, dst = y0 * w + x; y < y1; y++, src++, dst += w) data[dst] = colMajor[src];
      }
    }
  }
  return { width: w, height: h, data };
}
