import { SamflowError } from '../errors';
import type { GroundTruthMask } from './GroundTruthMask';

/**
 * IoU of a predicted mask with a ground truth, leaving out the ground truth's ignored pixels
 * (RITM's `get_iou(gt, pred, ignore_label)`). An empty union counts as a perfect match (1).
 * @param pred uint8[height*width], non-zero = inside
 */
export function interactiveIou(pred: Uint8Array, gt: GroundTruthMask): number {
  const n = gt.width * gt.height;
  if (pred.length !== n) {
    throw new SamflowError(
      'BAD_OPTION',
      `interactiveIou: predicted mask has ${pred.length} pixels, the ground truth ${gt.width}x${gt.height} has ${n}; upscale the prediction to the image size first`,
    );
  }
  const { object, ignore } = gt;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < n; i++) {
    if (ignore && ignore[i]) continue;
    const p = pred[i] !== 0;
    const g = object[i] === 1;
    if (p && g) inter++;
    if (p || g) union++;
  }
  return union === 0 ? 1 : inter / union;
}
