import type { InstanceMatch } from './matchInstances';

/** Recall, mean IoU and extras over the ground-truth objects of many images. */
export interface InstancesSummary {
  /** Ground-truth objects counted. */
  readonly gtObjects: number;
  /** Share of ground-truth objects matched at IoU >= `iouThresh` (0 when there are none). */
  readonly recall: number;
  /** Objects matched at IoU >= `iouThresh`. */
  readonly matched: number;
  /** Mean IoU over ground-truth objects, a missed object counting 0 (0 when there are none). */
  readonly meanIou: number;
  /** Every object's IoU, in image order. */
  readonly perObjectIou: readonly number[];
  /** Predictions that were no object's best match, summed over the images. */
  readonly extraPredictions: number;
  /** Predictions, summed over the images. */
  readonly predictions: number;
  readonly iouThresh: number;
}

/** Sums per-image matches (see `matchInstances`) into recall at `iouThresh` (default 0.5), mean IoU and extras. */
export function summarizeInstances(matches: readonly InstanceMatch[], iouThresh = 0.5): InstancesSummary {
  const ious = matches.flatMap((m) => m.ious);
  const matched = ious.filter((v) => v >= iouThresh).length;
  return {
    gtObjects: ious.length,
    recall: ious.length === 0 ? 0 : matched / ious.length,
    matched,
    meanIou: ious.length === 0 ? 0 : ious.reduce((s, v) => s + v, 0) / ious.length,
    perObjectIou: ious,
    extraPredictions: matches.reduce((s, m) => s + m.extraPredictions, 0),
    predictions: matches.reduce((s, m) => s + m.predictions, 0),
    iouThresh,
  };
}
