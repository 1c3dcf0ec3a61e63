/** An 8-bit RGB colour. */
export type Rgb = readonly [number, number, number];

/**
 * Twelve well-separated, saturated colours (after the Tableau / matplotlib "tab" palettes). The
 * first is orange, not tab:blue, so a single mask stays visible on sky, water and blue objects.
 */
export const OVERLAY_PALETTE: readonly Rgb[] = [
  [255, 127, 14],
  [31, 119, 180],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [188, 189, 34],
  [23, 190, 207],
  [255, 187, 120],
  [152, 223, 138],
  [174, 199, 232],
];

/**
 * The overlay colour of the `index`-th mask: the 12 {@link OVERLAY_PALETTE} colours first, then
 * hues stepped by the golden angle (so neighbours stay distinct), always the same for an index.
 *
 * @param index Mask index (≥ 0).
 */
export function overlayColor(index: number): Rgb {
  const i = Math.max(0, Math.floor(index));
  if (i < OVERLAY_PALETTE.length) return OVERLAY_PALETTE[i];
  const hue = ((i - OVERLAY_PALETTE.length) * 137.50776405) % 360;
  const lightness = i % 2 === 0 ? 0.5 : 0.62;
  return hslToRgb(hue, 0.75, lightness);
}

/** HSL (hue in degrees, saturation and lightness in [0,1]) to 8-bit RGB. */
function hslToRgb(h: number, s: number, l: number): Rgb {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): number => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}
