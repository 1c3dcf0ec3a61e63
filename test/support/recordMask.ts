import { rleToMask } from '../../core/masks';
import { isCompressedRle, type AmgRecord } from '../../core/records';
import type { BinaryMask } from '../../core/types';

/** The mask of an SA-1B record in COCO RLE (AMG's default outputMode); throws for other segmentations. */
export function recordMask(r: AmgRecord): BinaryMask {
  if (!isCompressedRle(r.segmentation)) throw new Error('expected COCO RLE');
  return rleToMask(r.segmentation);
}
