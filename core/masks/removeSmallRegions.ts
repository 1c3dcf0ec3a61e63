import { SamflowError } from '../errors';
import type { BinaryMask } from '../types';
import { assertBinaryMask } from './assertBinaryMask';
import { labelRuns } from './labelRuns';

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
export function removeSmallRegions(mask: BinaryMask, areaThresh: number, mode: 'holes' | 'islands'): RemoveSmallRegionsResult {
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
  const { runCount, runStart, runEnd, runLabel, count, sizes } = labelRuns(data, width, height, !holes);
  let anySmall = false;
  for (let k = 1; k <= count; k++) if (sizes[k] < areaThresh) anySmall = true;
  if (!anySmall) return { mask, changed: false };

  const out = new Uint8Array(data); // uint8[h,w], then edited run by run
  if (holes) {
    // Output = original foreground ∪ small background components.
    for (let r = 0; r < runCount; r++) if (sizes[runLabel[r]] < areaThresh) out.fill(1, runStart[r], runEnd[r]);
  } else {
    // Output = large foreground components, or the largest one when none is large.
    let keepOnly = 0;
    let anyLarge = false;
    for (let k = 1; k <= count; k++) if (sizes[k] >= areaThresh) anyLarge = true;
    if (!anyLarge) {
      keepOnly = 1;
      for (let k = 2; k <= count; k++) if (sizes[k] > sizes[keepOnly]) keepOnly = k;
    }
    for (let r = 0; r < runCount; r++) {
      const k = runLabel[r];
      const keep = keepOnly !== 0 ? k === keepOnly : sizes[k] >= areaThresh;
      if (!keep) out.fill(0, runStart[r], runEnd[r]);
    }
  }
  // Normalise to 0/1 (the input may use any non-zero byte for inside).
  for (let i = 0; i < out.length; i++) if (out[i] > 1) out[i] = 1;
  return { mask: { width, height, data: out }, changed: true };
}
