import { SamflowError } from '../errors';
import { checkLimit, DEFAULT_LIMITS, describeValue } from '../limits';
import type { BinaryMask, CompressedRle, UncompressedRle } from '../types';
import { checkRleSize } from './decompressRle';
import { toUncompressedRle } from './toUncompressedRle';

export interface RleToMaskOptions {
  /** Largest h × w to allocate a mask for; bigger sizes throw BAD_OPTION. Default 100 MP (core/limits.ts). */
  readonly maxPixels?: number;
}

/**
 * Decodes COCO RLE (compressed string or uncompressed counts, as pycocotools `decode`) into a
 * row-major {@link BinaryMask}. Exact inverse of {@link maskToRle} (+ {@link compressRle}).
 *
 * Only the inside runs are written (strided, column by column); this beat a contiguous
 * column-major fill plus tiled transpose (1.0 vs 3.4 ms CPU at 1920×1080).
 *
 * @param rle `{ size: [h, w], counts }`; counts are column-major runs starting with 0s.
 * @param options `maxPixels`: h × w above it is refused before allocating (default 100 MP).
 * @returns A mask of `width = size[1]`, `height = size[0]`, 1 inside.
 */
export function rleToMask(rle: UncompressedRle | CompressedRle, options: RleToMaskOptions = {}): BinaryMask {
  if (rle === null || typeof rle !== 'object') {
    throw new SamflowError('BAD_OPTION', `rleToMask: expected a COCO RLE {size, counts}, got ${describeValue(rle)}.`, 'rle');
  }
  const [h0, w0] = checkRleSize(rle.size, 'rleToMask');
  checkLimit(`rleToMask: size [${h0}, ${w0}] in pixels`, h0 * w0, options.maxPixels ?? DEFAULT_LIMITS.maxRlePixels, 'maxPixels', 'BAD_OPTION');
  const { size, counts } = toUncompressedRle(rle, 'rleToMask');
  const h = size[0];
  const w = size[1];
  const data = new Uint8Array(w * h); // uint8[h,w]
  let pos = 0; // column-major index
  for (let r = 0; r < counts.length; r++) {
    const len = counts[r];
    if ((r & 1) === 1 && len > 0) {
      // Walk the run column by column: x = floor(pos / h), y = pos % h.
      let x = Math.floor(pos / h);
      let y = pos - x * h;
      let left = len;
      while (left > 0) {
        const take = Math.min(left, h - y);
        for (let i = y * w + x, end = (y + take) * w + x; i < end; i += w) data[i] = 1;
        left -= take;
        y = 0;
        x++;
      }
    }
    pos += len;
  }
  return { width: w, height: h, data };
}
