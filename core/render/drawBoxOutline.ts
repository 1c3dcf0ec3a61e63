import type { BoxXyxy } from '../types';
import type { Rgb } from './overlayColor';

/**
 * Draws the outline of an XYXY box in place, `thickness` pixels wide, inside the box's pixel
 * extent (columns round(x0)..round(x1) − 1, rows round(y0)..round(y1) − 1), clipped to the image.
 *
 * @param rgb uint8[h*w*3] to modify.
 * @param width Image width.
 * @param height Image height.
 * @param box [x0, y0, x1, y1] in pixels.
 * @param color Line colour.
 * @param thickness Line width in pixels (≥ 1).
 */
export function drawBoxOutline(rgb: Uint8Array, width: number, height: number, box: BoxXyxy, color: Rgb, thickness: number): void {
  const x0 = Math.max(0, Math.round(box[0]));
  const y0 = Math.max(0, Math.round(box[1]));
  const x1 = Math.min(width, Math.round(box[2])); // exclusive
  const y1 = Math.min(height, Math.round(box[3])); // exclusive
  if (x1 <= x0 || y1 <= y0) return;
  const t = Math.max(1, Math.round(thickness));
  const set = (x: number, y: number): void => {
    const j = (y * width + x) * 3;
    rgb[j] = color[0];
    rgb[j + 1] = color[1];
    rgb[j + 2] = color[2];
  };
  for (let y = y0; y < y1; y++) {
    const band = y < y0 + t || y >= y1 - t;
    if (band) {
      for (let x = x0; x < x1; x++) set(x, y);
    } else {
      for (let x = x0; x < Math.min(x1, x0 + t); x++) set(x, y);
      for (let x = Math.max(x0, x1 - t); x < x1; x++) set(x, y);
    }
  }
}
