import { SamflowError } from '../errors';
import type { BinaryMask } from '../types';
import { assertBinaryMask } from './assertBinaryMask';
import { labelComponents } from './labelComponents';

/** Result of {@link removeSmallRegions}. */
export interface RemoveSmallRegionsResult {
  readonly mask: BinaryMask;
  /** True when at least one region was below `areaThresh` (SAM's `changed` flag). */
  readonly changed: boolean;
}

/**
 * Fills small holes or removes small islands, exactly as segment-anything's `remove_small_regions`
 * (used by `SamAutomaticMaskGenerator` with `minMaskRegionArea`):
 * - `'holes'`: 8-connected components of the background with fewer than `areaThresh` pixels are
 *   filled. Like SAM, background touching the image border counts as a hole too when it is small.
 * - `'islands'`: 8-connected components of the foreground with fewer than `areaThresh` pixels are
 *   removed; if every component is small, the largest one is kept (first in raster order on ties).
 *
 * When nothing is below the threshold the input mask is returned as is with `changed: false`.
 *
 * @param mask Row-major binary mask.
 * @param areaThresh Minimum region area in pixels (≥ 0).
 * @param mode `'holes'` or `'islands'`.
 */
export function removeSmallRegions(
  mask: BinaryMask,
  areaThresh: number,
  mode: 'holes' | 'islands',
): RemoveSmallRegionsResult {
  assertBinaryMask(mask, 'removeSmallRegions: mask');
  if (!(areaThresh >= 0) || !Number.isFinite(areaThresh)) {
    throw new SamflowError('BAD_OPTION', `removeSmallRegions: areaThresh must be a finite number >= 0, got ${areaThresh}.`);
  }
  if (mode !== 'holes' && mode !== 'islands') {
    throw new SamflowError('BAD_OPTION', `removeSmallRegions: mode must be 'holes' or 'islands', got ${String(mode)}.`);
  }
  const { width, height, data } = mask;
  const holes = mode === 'holes';
  // SAM: working_mask = correct_holes ^ mask → label background for holes, foreground for islands.
  const { labels, count, sizes } = labelComponents(data, width, height, !holes);
  // keep[k] = 1 when component k ends up inside the output mask.
  const inside = new Uint8Array(count + 1);
  let anySmall = false;
  for (let k = 1; k <= count; k++) if (sizes[k] < areaThresh) anySmall = true;
  if (!anySmall) return { mask, changed: false };

  if (holes) {
    // Output = original foreground (label 0) ∪ small background components.
    inside[0] = 1;
    for (let k = 1; k <= count; k++) if (sizes[k] < areaThresh) inside[k] = 1;
  } else {
    let kept = 0;
    for (let k = 1; k <= count; k++) {
      if (sizes[k] >= areaThresh) {
        inside[k] = 1;
        kept++;
      }
    }
    if (kept === 0) {
      let best = 1;
      for (let k = 2; k <= count; k++) if (sizes[k] > sizes[best]) best = k;
      inside[best] = 1;
    }
  }
  const out = new Uint8Array(width * height); // uint8[h,w]
  for (let i = 0; i < out.length; i++) out[i] = inside[labels[i]];
  return { mask: { width, height, data: out }, changed: true };
}
