import type { BoxXywh, CompressedRle, UncompressedRle } from '../types';
import type { BoxOptions } from './maskToBoxXywh';
import { toUncompressedRle } from './toUncompressedRle';

/**
 * Bounding box (XYWH) of an RLE mask computed from the runs, without decoding the mask. Same result
 * as `maskToBoxXywh(rleToMask(rle), opts)`: SAM's inclusive convention by default, pycocotools'
 * `toBbox` with `convention: 'coco'`; an empty mask gives `[0, 0, 0, 0]`.
 *
 * @param rle Compressed or uncompressed COCO RLE.
 * @param opts `convention`: `'sam'` (default) or `'coco'`.
 */
export function rleToBoxXywh(rle: UncompressedRle | CompressedRle, opts: BoxOptions = {}): BoxXywh {
  const { size, counts } = toUncompressedRle(rle, 'rleToBoxXywh');
  const h = size[0];
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  let pos = 0;
  for (let r = 0; r < counts.length; r++) {
    const len = counts[r];
    if ((r & 1) === 1 && len > 0) {
      const sx = Math.floor(pos / h);
      const sy = pos - sx * h;
      const last = pos + len - 1;
      const ex = Math.floor(last / h);
      const ey = last - ex * h;
      if (sx < x0) x0 = sx;
      if (ex > x1) x1 = ex;
      if (ex > sx) {
        // The run wraps into the next column: it covers row 0 and row h-1.
        y0 = 0;
        y1 = h - 1;
      } else {
        if (sy < y0) y0 = sy;
        if (ey > y1) y1 = ey;
      }
    }
    pos += len;
  }
  if (x1 < 0) return [0, 0, 0, 0];
  const extra = opts.convention === 'coco' ? 1 : 0;
  return [x0, y0, x1 - x0 + extra, y1 - y0 + extra];
}
