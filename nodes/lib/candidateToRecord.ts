import { candidateToMask, compressRle, maskArea, maskToBoxXywh, maskToRle, stabilityScore } from '../../core';
import { LOW_RES_SIZE, type MaskCandidate, type MaskRecord } from '../../core/types';

/** SAM's defaults for the stability score (mask_threshold 0, stability_score_offset 1.0). */
export const MASK_THRESHOLD = 0;
export const STABILITY_SCORE_OFFSET = 1;

/** SAM's stability score of a candidate, counted over the un-padded part of its 256×256 logits. */
export function candidateStability(c: MaskCandidate): number {
  const [validWidth, validHeight] = c.transform.lowResValid;
  return stabilityScore(c.lowResLogits, MASK_THRESHOLD, STABILITY_SCORE_OFFSET, { width: LOW_RES_SIZE, height: LOW_RES_SIZE, validWidth, validHeight });
}

/**
 * One decoder candidate → an SA-1B mask record with COCO compressed RLE at the original size.
 * The stability score is computed on the valid low-res logits with SAM's offset 1.0.
 */
export function candidateToRecord(c: MaskCandidate): MaskRecord {
  const mask = candidateToMask(c, MASK_THRESHOLD);
  const w = c.transform.originalWidth;
  const h = c.transform.originalHeight;
  return {
    segmentation: compressRle(maskToRle(mask)),
    area: maskArea(mask),
    bbox: maskToBoxXywh(mask),
    predicted_iou: c.predictedIou,
    point_coords: (c.prompt.points ?? []).map((p): [number, number] => [p.x, p.y]),
    stability_score: c.stabilityScore ?? candidateStability(c),
    crop_box: c.cropBox ?? [0, 0, w, h],
    ...(c.prompt.meta ? { meta: c.prompt.meta } : {}),
  };
}
