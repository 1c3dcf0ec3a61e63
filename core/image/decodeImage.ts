import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { SamflowError } from '../errors';
import { DEFAULT_LIMITS, describeValue } from '../limits';
import type { Frame, ImageInput, RawFrame } from '../types';

/** Refuse images above this many pixels unless told otherwise (checked from the header, before decoding). */
export const DEFAULT_MAX_PIXELS = DEFAULT_LIMITS.maxPixels;

export interface DecodeImageOptions {
  /** Largest accepted width × height; checked from the image header before full decoding. */
  readonly maxPixels?: number;
  /** Frame id (embedding cache key). Default: the file path, or a SHA-1 of the bytes / pixels. */
  readonly id?: string;
  /** Name used in error messages for buffer inputs (e.g. "msg.payload"). */
  readonly sourceName?: string;
}

function isRawFrame(input: ImageInput): input is RawFrame {
  return typeof input === 'object' && input !== null && !(input instanceof Uint8Array) && 'channels' in input;
}

function sha1(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/**
 * Decodes JPEG, PNG, WebP, TIFF, GIF (first frame) or AVIF bytes, a file path, or raw pixels into
 * an 8-bit RGB Frame: EXIF orientation applied, alpha dropped, grayscale expanded to RGB.
 * Throws SamflowError BAD_IMAGE (empty, truncated, not an image) or IMAGE_TOO_LARGE.
 */
export async function decodeImage(input: ImageInput, options: DecodeImageOptions = {}): Promise<Frame> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (typeof maxPixels !== 'number' || !(maxPixels > 0)) throw new SamflowError('BAD_OPTION', `decodeImage: maxPixels must be > 0, got ${maxPixels}`);
  if (isRawFrame(input)) return rawToFrame(input, maxPixels, options.id);

  let bytes: Uint8Array;
  let source: string;
  if (typeof input === 'string') {
    source = input;
    try {
      bytes = await readFile(input);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : String(e);
      throw new SamflowError('BAD_IMAGE', `cannot read image ${input}: ${why}`, input, { cause: e });
    }
  } else if (input instanceof Uint8Array) {
    source = options.sourceName ?? 'image buffer';
    bytes = input;
  } else {
    throw new SamflowError('BAD_IMAGE', `decodeImage: expected a Buffer, a file path or a raw frame {data, width, height, channels}, got ${describeValue(input)}`, 'input');
  }
  if (bytes.length === 0) {
    throw new SamflowError('BAD_IMAGE', `${source}: the image is empty (0 bytes)`, source);
  }

  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new SamflowError('BAD_IMAGE', `${source}: not a readable image (${firstLine(e)}); expected JPEG, PNG, WebP, TIFF, GIF or AVIF`, source, { cause: e });
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (w * h > maxPixels) {
    throw new SamflowError(
      'IMAGE_TOO_LARGE',
      `${source}: ${w}x${h} = ${((w * h) / 1e6).toFixed(1)} megapixels is above the limit of ${(maxPixels / 1e6).toFixed(1)} megapixels; downscale it or raise maxPixels`,
      source,
    );
  }
  try {
    // first page only (GIF, TIFF); .rotate() with no angle applies the EXIF orientation
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, pages: 1 })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
      throw new Error(`decoded to ${info.channels} channels instead of 3`);
    }
    const id = options.id ?? (typeof input === 'string' ? input : sha1(bytes));
    // uint8[h, w, 3]
    const rgb = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return { id, width: info.width, height: info.height, rgb, timestamp: Date.now() };
  } catch (e) {
    throw new SamflowError('BAD_IMAGE', `${source}: the image could not be decoded (${firstLine(e)}); the file may be truncated or corrupt`, source, { cause: e });
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

function rawToFrame(raw: RawFrame, maxPixels: number, id?: string): Frame {
  const { width, height, channels, data } = raw;
  const source = raw.id ?? 'raw frame';
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new SamflowError('BAD_IMAGE', `${source}: width and height must be positive integers, got ${width}x${height}`, source);
  }
  if (![1, 3, 4].includes(channels)) {
    throw new SamflowError('BAD_IMAGE', `${source}: channels must be 1, 3 or 4, got ${String(channels)}`, source);
  }
  if (width * height > maxPixels) {
    throw new SamflowError('IMAGE_TOO_LARGE', `${source}: ${width}x${height} is above the limit of ${maxPixels} pixels`, source);
  }
  const n = width * height;
  if (!(data instanceof Uint8Array) || data.length !== n * channels) {
    throw new SamflowError(
      'BAD_IMAGE',
      `${source}: expected ${n * channels} bytes for ${width}x${height}x${channels}, got ${data instanceof Uint8Array ? data.length : typeof data}`,
      source,
    );
  }
  let rgb: Uint8Array;
  if (channels === 3) rgb = data;
  else {
    // uint8[h, w, 3]
    rgb = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) {
      const s = i * channels;
      const d = i * 3;
      rgb[d] = data[s]!;
      rgb[d + 1] = data[channels === 1 ? s : s + 1]!;
      rgb[d + 2] = data[channels === 1 ? s : s + 2]!;
    }
  }
  return { id: id ?? raw.id ?? sha1(rgb), width, height, rgb, timestamp: raw.timestamp ?? Date.now() };
}
