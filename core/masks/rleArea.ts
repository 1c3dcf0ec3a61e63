import type { CompressedRle, UncompressedRle } from '../types';
import { toUncompressedRle } from './toUncompressedRle';

/**
 * Number of pixels inside an RLE mask (pycocotools `area`): the sum of the odd-indexed counts.
 *
 * @param rle Compressed or uncompressed COCO RLE.
 */
export function rleArea(rle: UncompressedRle | CompressedRle): number {
  const { counts } = toUncompressedRle(rle, 'rleArea');
  let area = 0;
  for (let i = 1; i < counts.length; i += 2) area += counts[i];
  return area;
}
