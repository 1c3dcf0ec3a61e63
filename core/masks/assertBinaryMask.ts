import { SamflowError } from '../errors';
import type { BinaryMask } from '../types';

/**
 * Throws a `SamflowError('BAD_OPTION')` unless `mask` is a well-formed {@link BinaryMask}:
 * non-negative integer `width`/`height` and a `Uint8Array` `data` of exactly `width * height` bytes.
 *
 * @param mask The value to check.
 * @param name How the caller's docs call this input (used in the message), e.g. `"maskIou: a"`.
 */
export function assertBinaryMask(mask: BinaryMask, name: string): void {
  if (mask === null || typeof mask !== 'object') {
    throw new SamflowError('BAD_OPTION', `${name}: expected a BinaryMask {width, height, data}, got ${String(mask)}.`);
  }
  const { width, height, data } = mask;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new SamflowError('BAD_OPTION', `${name}: width and height must be non-negative integers, got ${String(width)}x${String(height)}.`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height) {
    const got = data instanceof Uint8Array ? `${data.length} bytes` : typeof data;
    throw new SamflowError('BAD_OPTION', `${name}: data must be a Uint8Array of width*height = ${width * height} bytes (row-major, 1 inside, 0 outside), got ${got}.`);
  }
}

/** Throws unless masks `a` and `b` have the same size (named in the message). */
export function assertSameSize(a: BinaryMask, b: BinaryMask, fn: string): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new SamflowError('BAD_OPTION', `${fn}: masks must have the same size, got ${a.width}x${a.height} and ${b.width}x${b.height}; ` + 'upscale or crop one of them first.');
  }
}
