import type { BinaryMask, BoxXywh } from '../types';
import { assertBinaryMask } from './assertBinaryMask';

/**
 * How a box's width/height is measured from the inside pixels' extreme indices x0..x1, y0..y1.
 * - `'sam'` (default): segment-anything's `batched_mask_to_box` + `box_xyxy_to_xywh`, i.e. the
 *   SA-1B `bbox`: `[x0, y0, x1 - x0, y1 - y0]` (a single pixel has w = h = 0).
 * - `'coco'`: pycocotools' `toBbox`: `[x0, y0, x1 - x0 + 1, y1 - y0 + 1]` (pixel extents).
 */
export type BoxConvention = 'sam' | 'coco';

/** Options for {@link maskToBoxXywh} and {@link rleToBoxXywh}. */
export interface BoxOptions {
  /** Default `'sam'`. */
  readonly convention?: BoxConvention;
}

/**
 * Bounding box (XYWH) of the inside pixels of a mask, with SAM's inclusive convention by default
 * (see {@link BoxConvention}). An empty mask gives `[0, 0, 0, 0]`, as SAM does.
 *
 * @param mask Row-major binary mask.
 * @param opts `convention`: `'sam'` (default) or `'coco'`.
 */
export function maskToBoxXywh(mask: BinaryMask, opts: BoxOptions = {}): BoxXywh {
  assertBinaryMask(mask, 'maskToBoxXywh: mask');
  const { width: w, height: h, data } = mask;
  let x0 = w;
  let y0 = -1;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let first = -1;
    for (let x = 0; x < w; x++) {
      if (data[row + x] !== 0) {
        first = x;
        break;
      }
    }
    if (first < 0) continue;
    if (y0 < 0) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    for (let x = w - 1; x > x1; x--) {
      if (data[row + x] !== 0) {
        x1 = x;
        break;
      }
    }
  }
  if (y0 < 0) return [0, 0, 0, 0];
  const extra = opts.convention === 'coco' ? 1 : 0;
  return [x0, y0, x1 - x0 + extra, y1 - y0 + extra];
}
