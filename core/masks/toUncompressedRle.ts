import { SamflowError } from '../errors';
import type { CompressedRle, UncompressedRle } from '../types';
import { checkRleSize, decompressRle } from './decompressRle';

/**
 * Returns the uncompressed form of either RLE flavour, validating uncompressed counts
 * (non-negative integers summing to h*w). Compressed input is decoded with {@link decompressRle}.
 *
 * @param rle Compressed or uncompressed COCO RLE.
 * @param fn Name of the calling function, used in error messages.
 */
export function toUncompressedRle(rle: UncompressedRle | CompressedRle, fn = 'toUncompressedRle'): UncompressedRle {
  if (rle === null || typeof rle !== 'object') {
    throw new SamflowError('BAD_OPTION', `${fn}: expected a COCO RLE {size, counts}, got ${String(rle)}.`);
  }
  if (typeof rle.counts === 'string') return decompressRle(rle as CompressedRle);
  const [h, w] = checkRleSize(rle.size, fn);
  const counts = rle.counts;
  if (!Array.isArray(counts)) {
    throw new SamflowError('BAD_OPTION', `${fn}: rle.counts must be a string or an array of run lengths.`);
  }
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const c: unknown = counts[i];
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0) {
      throw new SamflowError('BAD_OPTION', `${fn}: rle.counts[${i}] must be a non-negative integer, got ${String(c)}.`);
    }
    total += c;
  }
  if (total !== h * w) {
    throw new SamflowError('BAD_OPTION', `${fn}: the runs cover ${total} pixels but size [${h}, ${w}] has ${h * w}; the RLE does not belong to this size.`);
  }
  return { size: [h, w], counts };
}
