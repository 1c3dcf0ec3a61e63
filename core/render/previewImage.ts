import sharp from 'sharp';
import { SamflowError } from '../errors';

/** Largest preview width accepted (pixels): an editor thumbnail, not a full frame. */
export const MAX_PREVIEW_WIDTH = 1024;

/**
 * A small JPEG of an encoded image (PNG/JPEG Buffer) for an editor preview: scaled down to at most
 * `maxWidth` pixels wide (never up), aspect ratio kept. Returns the JPEG bytes.
 */
export async function previewImage(image: Buffer, maxWidth: number, quality = 70): Promise<Buffer> {
  if (!Number.isInteger(maxWidth) || maxWidth < 16 || maxWidth > MAX_PREVIEW_WIDTH) {
    throw new SamflowError('BAD_OPTION', `previewImage: maxWidth must be an integer from 16 to ${MAX_PREVIEW_WIDTH} pixels, got ${String(maxWidth)}`);
  }
  return sharp(image).resize({ width: maxWidth, withoutEnlargement: true }).flatten({ background: '#ffffff' }).jpeg({ quality }).toBuffer();
}
