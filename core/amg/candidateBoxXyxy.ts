import { logitsBoxXyxy } from '../masks/lowResToMask';
import type { BoxXyxy, MaskCandidate } from '../types';

/**
 * Bounding box (XYXY, SAM's inclusive convention, as `batched_mask_to_box`) of a candidate's mask at
 * the original size of its frame: exactly the box of the upscaled, thresholded mask (logitsBoxXyxy
 * computes only the rows and columns that can hold it). Exact where the low-res box is not (a weak
 * low-res pixel can vanish after upscaling, and then two identical masks get different boxes and
 * both survive NMS).
 */
export function candidateBoxXyxy(c: Pick<MaskCandidate, 'lowResLogits' | 'transform'>, maskThreshold = 0): BoxXyxy {
  return logitsBoxXyxy(c.lowResLogits, c.transform, maskThreshold);
}
