import type { BoxXyxy } from '../types';
import { SamflowError } from '../errors';

/** Area of an XYXY box (0 when degenerate), torchvision's `box_area`. */
export function boxAreaXyxy(b: BoxXyxy): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

/** IoU of two XYXY boxes, torchvision's `box_iou` (continuous coordinates, no +1). 0 when both are empty. */
export function boxIouXyxy(a: BoxXyxy, b: BoxXyxy): number {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  const inter = iw > 0 && ih > 0 ? iw * ih : 0;
  const union = boxAreaXyxy(a) + boxAreaXyxy(b) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy non-maximum suppression with torchvision's semantics: visit boxes by score (descending,
 * ties keep input order), keep a box unless its IoU with an already kept box is > `iouThresh`.
 *
 * @returns indices of kept boxes, in descending score order
 */
export function nonMaxSuppression(boxes: readonly BoxXyxy[], scores: ArrayLike<number>, iouThresh: number): number[] {
  if (boxes.length !== scores.length) {
    throw new SamflowError('BAD_OPTION', `nonMaxSuppression: ${boxes.length} boxes but ${scores.length} scores; pass one score per box`);
  }
  if (!(iouThresh >= 0 && iouThresh <= 1)) {
    throw new SamflowError('BAD_OPTION', `nonMaxSuppression: iouThresh must be in [0, 1], got ${iouThresh}`);
  }
  const order = boxes.map((_, i) => i).sort((i, j) => scores[j] - scores[i] || i - j);
  const kept: number[] = [];
  for (const i of order) {
    let suppressed = false;
    for (const k of kept) {
      if (boxIouXyxy(boxes[i], boxes[k]) > iouThresh) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push(i);
  }
  return kept;
}

/**
 * torchvision's `batched_nms`: NMS done independently per category (`idxs`); boxes of different
 * categories never suppress each other. Returns kept indices sorted by descending score.
 */
export function batchedNms(boxes: readonly BoxXyxy[], scores: ArrayLike<number>, idxs: ArrayLike<number>, iouThresh: number): number[] {
  if (idxs.length !== boxes.length) {
    throw new SamflowError('BAD_OPTION', `batchedNms: ${boxes.length} boxes but ${idxs.length} category ids; pass one per box`);
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < boxes.length; i++) {
    const g = groups.get(idxs[i]) ?? [];
    g.push(i);
    groups.set(idxs[i], g);
  }
  const kept: number[] = [];
  for (const members of groups.values()) {
    const k = nonMaxSuppression(
      members.map((i) => boxes[i]),
      members.map((i) => scores[i]),
      iouThresh,
    );
    for (const j of k) kept.push(members[j]);
  }
  return kept.sort((i, j) => scores[j] - scores[i] || i - j);
}
