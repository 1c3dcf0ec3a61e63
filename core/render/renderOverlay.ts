import sharp from 'sharp';
import type { BinaryMask, Frame } from '../types';
import { captionSvg } from './captionSvg';
import { renderOverlayRgb, type OverlayOptions } from './renderOverlayRgb';

/** Options for {@link renderOverlay}: drawing options plus the output format. */
export interface RenderOverlayOptions extends OverlayOptions {
  /** `'png'` (default, lossless) or `'jpeg'` (quality 90). */
  readonly format?: 'png' | 'jpeg';
  /** Text drawn in a dark band across the top of the image (e.g. "no cat found"); none when empty. */
  readonly caption?: string;
}

/**
 * Renders masks over an image as a PNG or JPEG: a translucent fill per mask in a distinct,
 * deterministic colour, optional mask outlines, click markers (green = label 1, red = label 0, in a
 * white ring), box outlines and an optional caption band. Drawing happens on the RGB buffer in TypeScript
 * ({@link renderOverlayRgb}); sharp only encodes. The output has the frame's size.
 *
 * ## Example
 * ```ts
 * import { decodeImage, renderOverlay } from 'samflow';
 * const png = await renderOverlay(frame, [mask], { points: [{ x: 120, y: 80, label: 1 }] });
 * ```
 *
 * @param frame The image.
 * @param masks Masks of the frame's size.
 * @param opts See {@link RenderOverlayOptions}.
 * @returns The encoded image.
 */
export async function renderOverlay(frame: Frame, masks: readonly BinaryMask[], opts: RenderOverlayOptions = {}): Promise<Buffer> {
  const rgb = renderOverlayRgb(frame, masks, opts);
  let img = sharp(rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } });
  if (opts.caption) img = img.composite([{ input: captionSvg(opts.caption, frame.width, frame.height), top: 0, left: 0 }]);
  return opts.format === 'jpeg' ? img.jpeg({ quality: 90 }).toBuffer() : img.png().toBuffer();
}
