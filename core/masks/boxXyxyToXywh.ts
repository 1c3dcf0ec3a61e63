import type { BoxXywh, BoxXyxy } from '../types';

/** SAM's `box_xyxy_to_xywh`: [x0, y0, x1, y1] → [x0, y0, x1 - x0, y1 - y0]. */
export function boxXyxyToXywh(box: BoxXyxy): BoxXywh {
  return [box[0], box[1], box[2] - box[0], box[3] - box[1]];
}

/** Inverse of boxXyxyToXywh. */
export function boxXywhToXyxy(box: BoxXywh): BoxXyxy {
  return [box[0], box[1], box[0] + box[2], box[1] + box[3]];
}
