import type { OperatorFunction } from 'rxjs';
import { SamflowError } from '../errors';
import { removeSmallRegions as removeFn } from '../masks/removeSmallRegions';
import type { ErrorPolicyOptions } from '../stream/SkippedItem';
import type { BinaryMask } from '../types';
import { mapSync } from './mapSync';

/**
 * SAM's small-region cleanup on each mask: fills holes and/or removes islands smaller than
 * `minMaskRegionArea` pixels (8-connected), exactly as segment-anything's `remove_small_regions`.
 *
 * Like brushing crumbs off a stencil and patching its pinholes.
 *
 * ```
 * masks:  --m1(with 3-px hole)----m2(with 5-px speck)--|
 * output: --m1(hole filled)-------m2(speck removed)----|    (minMaskRegionArea 10)
 * ```
 *
 * ## Example
 * ```ts
 * import { operators } from 'samflow';
 * masks$.pipe(operators.removeSmallRegions(100));
 * ```
 *
 * @param minMaskRegionArea Regions below this many pixels are cleaned (≥ 0; 0 changes nothing).
 * @param mode 'both' (default: holes, then islands, as SAM's generator does), 'holes' or 'islands'.
 * @param options `onError`/`errors`.
 * @returns An operator from BinaryMask to BinaryMask. For SA-1B records use
 *   `operators.toRecords({ minMaskRegionArea })`, which also re-runs NMS as SAM does.
 *
 * Backpressure, errors and teardown: synchronous, stateless; nothing queues or is held.
 */
export function removeSmallRegions(
  minMaskRegionArea: number,
  mode: 'both' | 'holes' | 'islands' = 'both',
  options: ErrorPolicyOptions = {},
): OperatorFunction<BinaryMask, BinaryMask> {
  if (!(minMaskRegionArea >= 0 && Number.isFinite(minMaskRegionArea))) {
    throw new SamflowError('BAD_OPTION', `removeSmallRegions: minMaskRegionArea must be a finite number ≥ 0, got ${String(minMaskRegionArea)}`);
  }
  if (mode !== 'both' && mode !== 'holes' && mode !== 'islands') {
    throw new SamflowError('BAD_OPTION', `removeSmallRegions: mode must be 'both', 'holes' or 'islands', got ${String(mode)}`);
  }
  return mapSync(
    'removeSmallRegions',
    (mask: BinaryMask) => {
      let m = mask;
      if (mode !== 'islands') m = removeFn(m, minMaskRegionArea, 'holes').mask;
      if (mode !== 'holes') m = removeFn(m, minMaskRegionArea, 'islands').mask;
      return m;
    },
    options,
  );
}
