import type { BinaryMask } from '../types';
import type { Rgb } from './overlayColor';

/**
 * Blends `color` into the pixels of a packed RGB buffer that are inside `mask`, in place:
 * `out = round(pixel × (1 − alpha) + color × alpha)`. Pixels outside the mask are not touched.
 *
 * @param rgb uint8[h*w*3] to modify.
 * @param mask Mask of the same width and height.
 * @param color Fill colour.
 * @param alpha Opacity in [0, 1].
 */
export function paintMask(rgb: Uint8Array, mask: BinaryMask, color: Rgb, alpha: number): void {
  const data = mask.data;
  const keep = 1 - alpha;
  const r = color[0] * alpha + 0.5;
  const g = color[1] * alpha + 0.5;
  const b = color[2] * alpha + 0.5;
  for (let i = 0, j = 0; i < data.length; i++, j += 3) {
    if (data[i] === 0) continue;
    rgb[j] = rgb[j] * keep + r; // Uint8Array stores truncate: floor(x + 0.5) = round
    rgb[j + 1] = rgb[j + 1] * keep + g;
    rgb[j + 2] = rgb[j + 2] * keep + b;
  }
}

/**
 * Draws the inner outline of a mask in place: every inside pixel within `thickness − 1` pixels
 * (Chebyshev distance) of a 4-neighbour that is outside gets `color`. Only inside pixels change, so
 * the area outside the mask stays untouched.
 *
 * @param rgb uint8[h*w*3] to modify.
 * @param mask Mask of the same size.
 * @param color Outline colour (opaque).
 * @param thickness Outline width in pixels (≥ 1).
 */
export function paintMaskOutline(rgb: Uint8Array, mask: BinaryMask, color: Rgb, thickness: number): void {
  const { width: w, height: h, data } = mask;
  const t = Math.max(1, Math.round(thickness)) - 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (data[i] === 0) continue;
      const edge = (x > 0 && data[i - 1] === 0) || (x + 1 < w && data[i + 1] === 0) || (y > 0 && data[i - w] === 0) || (y + 1 < h && data[i + w] === 0);
      if (!edge) continue;
      for (let yy = Math.max(0, y - t), y1 = Math.min(h - 1, y + t); yy <= y1; yy++) {
        for (let xx = Math.max(0, x - t), x1 = Math.min(w - 1, x + t); xx <= x1; xx++) {
          const k = yy * w + xx;
          if (data[k] === 0) continue;
          rgb[k * 3] = color[0];
          rgb[k * 3 + 1] = color[1];
          rgb[k * 3 + 2] = color[2];
        }
      }
    }
  }
}
