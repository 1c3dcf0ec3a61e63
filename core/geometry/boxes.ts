/** A box [x0, y0, x1, y1] in original-image pixels (XYXY). */
export type BoxXyxy = readonly [number, number, number, number];
/** A box [x, y, w, h] in original-image pixels (XYWH, COCO / SA-1B). */
export type BoxXywh = readonly [number, number, number, number];
