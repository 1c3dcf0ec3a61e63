import type { BinaryMask, UncompressedRle } from '../types';
import { assertBinaryMask } from './assertBinaryMask';

/**
 * Encodes a binary mask as COCO run-length encoding with uncompressed counts, exactly as
 * pycocotools' `rleEncode` (and segment-anything's `mask_to_rle_pytorch`) do.
 *
 * The mask is read in column-major (Fortran) order — down the first column, then the second, … —
 * and `counts` alternates run lengths of 0s and 1s, always starting with the number of 0s (so a mask
 * whose first pixel is inside starts with a `0` count). Any non-zero byte counts as inside.
 * `size` is `[height, width]`.
 *
 * The plain strided column walk is kept on purpose: measured against a cache-friendly two-pass
 * transition scan it was 2.5x faster (2.7 vs 7.4 ms CPU at 1920×1080, 17 vs 44 ms at 4000×3000).
 *
 * @param mask The mask to encode (row-major uint8, 1 inside).
 * @returns `{ size: [h, w], counts }` with `sum(counts) === h * w`.
 */
export function maskToRle(mask: BinaryMask): UncompressedRle {
  assertBinaryMask(mask, 'maskToRle: mask');
  const { width: w, height: h, data } = mask;
  const counts: number[] = [];
  let prev = 0;
  let run = 0;
  for (let x = 0; x < w; x++) {
    for (let i = x, end = x + h * w; i < end; i += w) {
      const v = data[i] !== 0 ? 1 : 0;
      if (v !== prev) {
        counts.push(run);
        run = 0;
        prev = v;
      }
      run++;
    }
  }
  counts.push(run);
  return { size: [h, w], counts };
}
