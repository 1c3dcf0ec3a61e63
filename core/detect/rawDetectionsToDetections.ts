import type { BoxXywh } from '../types';
import { COCO_CLASSES } from './cocoClasses';
import type { Detection } from './Detection';
import { nmsDetections } from './nmsDetections';
import type { ResolvedDetectOptions } from './validateDetectOptions';

/**
 * Turns the centernet output rows (float32[N,6]: x1, y1, x2, y2 in letterboxed input pixels,
 * score, class index into COCO-80) into coco-ssd detections in original-image pixels: undo the
 * letterbox scale, clip to the image, name the class, filter by score and class, NMS, cap the count.
 */
export function rawDetectionsToDetections(raw: Float32Array, scale: number, imageWidth: number, imageHeight: number, opts: ResolvedDetectOptions): Detection[] {
  const candidates: Detection[] = [];
  for (let r = 0; r + 6 <= raw.length; r += 6) {
    const score = raw[r + 4];
    const classIndex = raw[r + 5];
    if (!(score >= opts.minScore) || !Number.isInteger(classIndex)) continue;
    const name = COCO_CLASSES[classIndex];
    if (name === undefined || (opts.classes && !opts.classes.has(name))) continue;
    const x0 = Math.min(imageWidth, Math.max(0, raw[r] / scale));
    const y0 = Math.min(imageHeight, Math.max(0, raw[r + 1] / scale));
    const x1 = Math.min(imageWidth, Math.max(0, raw[r + 2] / scale));
    const y1 = Math.min(imageHeight, Math.max(0, raw[r + 3] / scale));
    if (!(x1 > x0 && y1 > y0)) continue;
    const bbox: BoxXywh = [x0, y0, x1 - x0, y1 - y0];
    candidates.push({ bbox, class: name, score });
  }
  return nmsDetections(candidates, opts.iouThresh).slice(0, opts.maxDetections);
}
