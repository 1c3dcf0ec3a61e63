import { SamflowError } from '../errors';
import type { BinaryMask, BoxXyxy, Frame, PointPrompt } from '../types';
import { assertBinaryMask } from '../masks/assertBinaryMask';
import { drawBoxOutline } from './drawBoxOutline';
import { drawPointMarker } from './drawPointMarker';
import { overlayColor, type Rgb } from './overlayColor';
import { paintMask, paintMaskOutline } from './paintMask';

/** Options for {@link renderOverlay} and {@link renderOverlayRgb}. */
export interface OverlayOptions {
  /** Fill opacity of each mask in [0, 1] (default 0.5). */
  readonly alpha?: number;
  /** Colour of mask i is `colors[i % colors.length]`; default {@link overlayColor}(i). */
  readonly colors?: readonly Rgb[];
  /** Click markers: green (label 1) or red (label 0) discs in a white ring. */
  readonly points?: readonly PointPrompt[];
  /** Box prompts / detections to outline. */
  readonly boxes?: readonly BoxXyxy[];
  /** Draw each mask's inner outline in its opaque colour (default true). */
  readonly outline?: boolean;
  /** Outline width in px (default max(1, round(min(w, h) / 300))). */
  readonly outlineWidth?: number;
  /** Marker disc radius in px (default max(3, round(min(w, h) / 100))). */
  readonly markerRadius?: number;
  /** Box outline colour (default [0, 200, 255]) and width in px (default max(2, round(min(w, h) / 250))). */
  readonly boxColor?: Rgb;
  readonly boxWidth?: number;
}

/** Marker colours: label 1 (foreground) green, label 0 (background) red. */
export const POSITIVE_MARKER_COLOR: Rgb = [0, 255, 0];
export const NEGATIVE_MARKER_COLOR: Rgb = [255, 0, 0];

/**
 * Draws masks, click markers and boxes over a frame and returns the new packed RGB pixels
 * (uint8[h*w*3]); the frame itself is not modified. Order: translucent mask fills (in array order,
 * later masks on top), mask outlines, box outlines, point markers.
 *
 * @param frame The image (its `rgb` is copied).
 * @param masks Masks of the frame's size.
 * @param opts See {@link OverlayOptions}.
 * @throws SamflowError('BAD_OPTION') naming the mask, point, box or option that is wrong.
 */
export function renderOverlayRgb(frame: Frame, masks: readonly BinaryMask[], opts: OverlayOptions = {}): Uint8Array {
  const { width: w, height: h } = frame;
  if (!(frame.rgb instanceof Uint8Array) || frame.rgb.length !== w * h * 3) {
    throw new SamflowError('BAD_IMAGE', `renderOverlay: frame "${frame.id}" must carry width*height*3 = ${w * h * 3} RGB bytes, got ${frame.rgb?.length}.`);
  }
  const alpha = opts.alpha ?? 0.5;
  if (!(alpha >= 0 && alpha <= 1)) {
    throw new SamflowError('BAD_OPTION', `renderOverlay: alpha must be in [0, 1], got ${alpha}.`);
  }
  const colors = opts.colors;
  if (colors !== undefined && (colors.length === 0 || !colors.every(isRgb))) {
    throw new SamflowError('BAD_OPTION', 'renderOverlay: colors must be a non-empty list of [r, g, b] with integers 0..255.');
  }
  masks.forEach((m, i) => {
    assertBinaryMask(m, `renderOverlay: masks[${i}]`);
    if (m.width !== w || m.height !== h) {
      throw new SamflowError('BAD_OPTION', `renderOverlay: masks[${i}] is ${m.width}x${m.height} but the frame is ${w}x${h}; upscale masks to the image size first.`);
    }
  });
  const short = Math.min(w, h);
  const rgb = new Uint8Array(frame.rgb); // uint8[h,w,3] copy
  const colorOf = (i: number): Rgb => (colors ? colors[i % colors.length] : overlayColor(i));
  masks.forEach((m, i) => paintMask(rgb, m, colorOf(i), alpha));
  if (opts.outline ?? true) {
    const t = opts.outlineWidth ?? Math.max(1, Math.round(short / 300));
    masks.forEach((m, i) => paintMaskOutline(rgb, m, colorOf(i), t));
  }
  const boxColor = opts.boxColor ?? [0, 200, 255];
  const boxWidth = opts.boxWidth ?? Math.max(2, Math.round(short / 250));
  (opts.boxes ?? []).forEach((b, i) => {
    if (!Array.isArray(b) || b.length !== 4 || !b.every(Number.isFinite)) {
      throw new SamflowError('BAD_OPTION', `renderOverlay: boxes[${i}] must be [x0, y0, x1, y1] with finite numbers.`);
    }
    drawBoxOutline(rgb, w, h, b, boxColor, boxWidth);
  });
  const radius = opts.markerRadius ?? Math.max(3, Math.round(short / 100));
  const ring = Math.max(1, Math.round(radius / 3));
  (opts.points ?? []).forEach((p, i) => {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y) || (p.label !== 0 && p.label !== 1)) {
      throw new SamflowError('BAD_OPTION', `renderOverlay: points[${i}] must be {x, y, label: 0|1} with finite x and y.`);
    }
    drawPointMarker(rgb, w, h, p.x, p.y, p.label === 1 ? POSITIVE_MARKER_COLOR : NEGATIVE_MARKER_COLOR, radius, ring);
  });
  return rgb;
}

function isRgb(c: Rgb): boolean {
  return Array.isArray(c) && c.length === 3 && c.every((v) => Number.isInteger(v) && v >= 0 && v <= 255);
}
