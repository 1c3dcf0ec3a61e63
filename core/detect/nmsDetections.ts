import type { BoxXywh } from '../types';
import type { Detection } from './Detection';

/** Intersection over union of two XYWH boxes (0 when either is empty). */
export function boxIouXywh(a: BoxXywh, b: BoxXywh): number {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy non-maximum suppression: best score first, drop every later box whose IoU with a kept
 * box exceeds `iouThresh`. Class-agnostic unless `perClass` (then boxes only suppress their own class).
 */
export function nmsDetections(detections: readonly Detection[], iouThresh: number, perClass = false): Detection[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    const suppressed = kept.some((k) => (!perClass || k.class === d.class) && boxIouXywh(k.bbox, d.bbox) > iouThresh);
    if (!suppressed) kept.push(d);
  }
  return kept;
}
