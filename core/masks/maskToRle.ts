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
 * Implementation: the row-major data is scanned in memory order (cache friendly) for the positions
 * where the column-major sequence changes value (pixel vs the one above it; the first pixel of a
 * column vs the last of the previous column), bucketed per column, then turned into run lengths.
 *
 * @param mask The mask to encode (row-major uint8, 1 inside).
 * @returns `{ size: [h, w], counts }` with `sum(counts) === h * w`.
 */
export function maskToRle(mask: BinaryMask): UncompressedRle {
  assertBinaryMask(mask, 'maskToRle: mask');
  const { width: w, height: h, data } = mask;
  const n = w * h;
  if (n === 0) return { size: [h, w], counts: [0] };
  // Pass 1: transitions per column. A transition at column-major index p = x*h + y means the value
  // at p differs from the value at p - 1 (the value before index 0 is 0).
  const perColumn = new Int32Array(w + 1);
  for (let x = 0; x < w; x++) {
    const prev = x === 0 ? 0 : data[(h - 1) * w + x - 1] !== 0 ? 1 : 0;
    if ((data[x] !== 0 ? 1 : 0) !== prev) perColumn[x + 1]++;
  }
  for (let y = 1; y < h; y++) {
    for (let i = y * w, up = i - w, end = i + w, x = 1; i < end; i++, up++, x++) {
      if ((data[i] !== 0) !== (data[up] !== 0)) perColumn[x]++;
    }
  }
  for (let x = 0; x < w; x++) perColumn[x + 1] += perColumn[x]; // → start offsets
  const total = perColumn[w];
  const pos = new Float64Array(total); // column-major transition indices, sorted per column
  const fill = perColumn.slice(0, w);
  for (let x = 0; x < w; x++) {
    const prev = x === 0 ? 0 : data[(h - 1) * w + x - 1] !== 0 ? 1 : 0;
    if ((data[x] !== 0 ? 1 : 0) !== prev) pos[fill[x]++] = x * h;
  }
  for (let y = 1; y < h; y++) {
    for (let i = y * w, up = i - w, end = i + w, x = 0; i < end; i++, up++, x++) {
      if ((data[i] !== 0) !== (data[up] !== 0)) pos[fill[x]++] = x * h + y;
    }
  }
  // Pass 2: run lengths between consecutive transitions.
  const counts = new Array<number>(total + 1);
  let last = 0;
  for (let k = 0; k < total; k++) {
    counts[k] = pos[k] - last;
    last = pos[k];
  }
  counts[total] = n - last;
  return { size: [h, w], counts };
}
