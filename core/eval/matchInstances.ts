import { maskIou } from '../masks/maskIou';
import type { BinaryMask } from '../types';

/** How the predicted masks of one image cover its ground-truth objects. */
export interface InstanceMatch {
  /** One IoU per ground-truth object, in order: its best IoU over the predictions (0 when none overlaps). */
  readonly ious: readonly number[];
  /** Per ground-truth object: the index of the prediction it matched, -1 when none overlaps. */
  readonly matchedPrediction: readonly number[];
  /** Predictions that are no ground-truth object's best match. */
  readonly extraPredictions: number;
  /** Number of predictions. */
  readonly predictions: number;
}

/**
 * Matches ground-truth object masks to predicted masks by mask IoU (bench/instances.ts' rule): each
 * ground-truth object takes the prediction of highest IoU (the first one on ties; one prediction may
 * be the best of several objects), its IoU counts even when low; a prediction that is nobody's best is
 * an extra. Masks of different sizes throw (maskIou). Recall at 0.5 is then `ious.filter(v => v >= 0.5).length / ious.length`.
 */
export function matchInstances(predicted: readonly BinaryMask[], groundTruth: readonly BinaryMask[]): InstanceMatch {
  const matched = new Set<number>();
  const ious: number[] = [];
  const matchedPrediction: number[] = [];
  for (const gt of groundTruth) {
    let best = 0;
    let bestIdx = -1;
    predicted.forEach((m, k) => {
      const iou = maskIou(m, gt);
      if (iou > best) [best, bestIdx] = [iou, k];
    });
    if (bestIdx >= 0) matched.add(bestIdx);
    ious.push(best);
    matchedPrediction.push(bestIdx);
  }
  return { ious, matchedPrediction, extraPredictions: predicted.length - matched.size, predictions: predicted.length };
}
