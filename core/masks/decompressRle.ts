import { SamflowError } from '../errors';
import type { CompressedRle, UncompressedRle } from '../types';

/**
 * Decodes pycocotools' compressed RLE string back into run-length counts (`rleFrString` in
 * `maskApi.c`): the exact inverse of {@link compressRle}.
 *
 * @param rle `{ size: [h, w], counts: string }` as found in COCO / SA-1B JSON.
 * @returns `{ size, counts: number[] }`.
 * @throws SamflowError('BAD_OPTION') when the string has characters outside pycocotools' alphabet,
 *   ends in the middle of a count, decodes to a negative run, or its runs do not add up to h*w.
 */
export function decompressRle(rle: CompressedRle): UncompressedRle {
  const s = rle.counts;
  if (typeof s !== 'string') {
    throw new SamflowError('BAD_OPTION', 'decompressRle: rle.counts must be a string (compressed COCO RLE).');
  }
  const [h, w] = checkRleSize(rle.size, 'decompressRle');
  const counts: number[] = [];
  let p = 0;
  let total = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) {
        throw new SamflowError('BAD_OPTION', `decompressRle: the counts string ends inside a run (at character ${p}); it is truncated.`);
      }
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) {
        throw new SamflowError('BAD_OPTION', `decompressRle: character ${JSON.stringify(s[p])} at ${p} is not valid in a COCO RLE string (expected '0'..'o').`);
      }
      const scale = 2 ** (5 * k);
      x += (c & 0x1f) * scale;
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && (c & 0x10) !== 0) x -= 32 * scale; // sign-extend the last chunk
    }
    const m = counts.length;
    if (m > 2) x += counts[m - 2];
    if (x < 0) {
      throw new SamflowError('BAD_OPTION', `decompressRle: run ${m} decodes to a negative length (${x}); the string is corrupt.`);
    }
    counts.push(x);
    total += x;
  }
  if (total !== h * w) {
    throw new SamflowError('BAD_OPTION', `decompressRle: the runs cover ${total} pixels but size [${h}, ${w}] has ${h * w}; the RLE does not belong to this size.`);
  }
  return { size: [h, w], counts };
}

/** Validates an RLE `size` ([height, width], non-negative integers). */
export function checkRleSize(size: readonly [number, number] | undefined, fn: string): [number, number] {
  if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new SamflowError('BAD_OPTION', `${fn}: rle.size must be [height, width] with non-negative integers, got ${JSON.stringify(size)}.`);
  }
  return [size[0], size[1]];
}
