import type { Rgb } from './overlayColor';

/**
 * Draws a click marker in place: a filled disc of `radius` in `color` inside a white ring of
 * `ringWidth` pixels, so it shows on any background. Centred on the pixel containing (x, y);
 * clipped at the image border.
 *
 * @param rgb uint8[h*w*3] to modify.
 * @param width Image width.
 * @param height Image height.
 * @param x Point x in pixels.
 * @param y Point y in pixels.
 * @param color Fill colour.
 * @param radius Disc radius in pixels.
 * @param ringWidth White ring width in pixels.
 */
export function drawPointMarker(rgb: Uint8Array, width: number, height: number, x: number, y: number, color: Rgb, radius: number, ringWidth: number): void {
  const cx = Math.floor(x);
  const cy = Math.floor(y);
  const outer = radius + ringWidth;
  const r2 = radius * radius;
  const o2 = outer * outer;
  const reach = Math.ceil(outer);
  for (let yy = Math.max(0, cy - reach), y1 = Math.min(height - 1, cy + reach); yy <= y1; yy++) {
    for (let xx = Math.max(0, cx - reach), x1 = Math.min(width - 1, cx + reach); xx <= x1; xx++) {
      const d2 = (xx - cx) ** 2 + (yy - cy) ** 2;
      if (d2 > o2) continue;
      const j = (yy * width + xx) * 3;
      if (d2 <= r2) {
        rgb[j] = color[0];
        rgb[j + 1] = color[1];
        rgb[j + 2] = color[2];
      } else {
        rgb[j] = 255;
        rgb[j + 1] = 255;
        rgb[j + 2] = 255;
      }
    }
  }
}
