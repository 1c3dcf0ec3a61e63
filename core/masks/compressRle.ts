import { SamflowError } from '../errors';
import type { CompressedRle, UncompressedRle } from '../types';

/**
 * Compresses COCO RLE counts into pycocotools' string form (`rleToString` in `maskApi.c`).
 *
 * Each count `x` (from the 4th on, the difference `counts[i] - counts[i-2]`, as pycocotools does
 * for `i > 2`) is written as a little-endian sequence of 5-bit chunks in two's complement; bit 0x20
 * of a character marks "more chunks follow", bit 0x10 of the last chunk is the sign, and 48 (`'0'`)
 * is added to every chunk to make it printable. The result is byte-identical to
 * `pycocotools.mask.encode(...)['counts'].decode()`.
 *
 * @param rle Uncompressed RLE (see {@link maskToRle}).
 * @returns `{ size, counts: string }`.
 */
export function compressRle(rle: UncompressedRle): CompressedRle {
  const counts = rle.counts;
  if (!Array.isArray(counts)) {
    throw new SamflowError('BAD_OPTION', 'compressRle: rle.counts must be an array of run lengths (an UncompressedRle).');
  }
  // Every count needs at most 11 chunks below 2^53; most need 1–3. Grow on demand.
  let chars = new Uint8Array(Math.max(16, counts.length * 2));
  let n = 0;
  for (let i = 0; i < counts.length; i++) {
    const ci: unknown = counts[i];
    if (typeof ci !== 'number' || !Number.isInteger(ci) || ci < 0) {
      throw new SamflowError('BAD_OPTION', `compressRle: rle.counts[${i}] must be a non-negative integer, got ${String(ci)}.`);
    }
    // Arithmetic on doubles instead of 32-bit shifts: exact for any count below 2^53.
    let x = i > 2 ? ci - counts[i - 2] : ci;
    let more = true;
    while (more) {
      let c = x - Math.floor(x / 32) * 32; // x & 0x1f, also for negative x
      x = Math.floor(x / 32); // x >>= 5 (arithmetic)
      more = (c & 0x10) !== 0 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      if (n === chars.length) {
        const grown = new Uint8Array(chars.length * 2);
        grown.set(chars);
        chars = grown;
      }
      chars[n++] = c + 48;
    }
  }
  // All characters are in 48..111 (ASCII), so latin1 decoding is exact.
  return { size: [rle.size[0], rle.size[1]], counts: Buffer.from(chars.buffer, 0, n).toString('latin1') };
}
