import { logitsToMask } from '../masks/lowResToMask';
import { maskToBoxXywh } from '../masks/maskToBoxXywh';
import type { BoxXyxy, MaskCandidate } from '../types';

/**
 * Bounding box (XYXY, SAM's inclusive convention, as `batched_mask_to_box`) of a candidate's mask at
 * the original size of its frame: the logits are upscaled and thresholded once for the box, then
 * dropped. Exact where the low-res box is not (a weak low-res pixel can vanish after upscaling,
 * and then two identical masks get different boxes and both survive NMS).
 */
export function candidateBoxXyxy(c: Pick<MaskCandidate, 'lowResLogits' | 'transform'>, maskThreshold = 0): BoxXyxy {
  const m = logitsToMask(c.lowResLogits, c.transform, maskThreshold);
  let any = false;
  for (let i = 0; i < m.data.length; i++) {
    if (m.data[i]) {
      any = true;
      break;
    }
  }
  if (!any) return [0, 0, 0, 0];
  const [x, y, w, h] = maskToBoxXywh(m);
  return [x, y, x + w, y + h];
}
