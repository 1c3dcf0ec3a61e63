import type { OperatorFunction } from 'rxjs';
import { AMG_DEFAULTS } from '../amg/AmgOptions';
import { lowResMaskBoxXyxy } from '../amg/lowResMaskBoxXyxy';
import { SamflowError } from '../errors';
import { nonMaxSuppression as nmsFn } from '../masks/nonMaxSuppression';
import type { ErrorPolicyOptions } from '../stream/SkippedItem';
import type { MaskCandidate } from '../types';
import { mapSync } from './mapSync';

/**
 * Box non-maximum suppression within each group (one frame's candidates): of candidates whose mask
 * boxes overlap with IoU > `boxNmsThresh`, only the one with the highest predicted IoU survives.
 *
 * Like a photo editor who keeps only the sharpest of several near-identical shots.
 *
 * ```
 * groups: --[a.95 ▭, b.90 ▭(same place as a), c.91 ▭(elsewhere)]--|
 * output: --[a, c]------------------------------------------------|
 * ```
 *
 * ## Example
 * ```ts
 * import { operators } from 'samflow';
 * candidates$.pipe(operators.nonMaxSuppression(0.7));
 * ```
 *
 * @param boxNmsThresh IoU above which the lower-scored box is dropped (SAM default 0.7).
 * @param options `onError`/`errors`.
 * @returns An operator from MaskCandidate[] to MaskCandidate[] (best first). Boxes come from the
 *   low-res logits (no upscaling), in original pixels.
 *
 * Backpressure, errors and teardown: synchronous, stateless, one group at a time; nothing queues.
 * Emit a whole frame's candidates as one group (decodeMasks does) or NMS cannot see them together.
 */
export function nonMaxSuppression<C extends MaskCandidate>(
  boxNmsThresh: number = AMG_DEFAULTS.boxNmsThresh,
  options: ErrorPolicyOptions = {},
): OperatorFunction<readonly C[], C[]> {
  if (!(boxNmsThresh >= 0 && boxNmsThresh <= 1)) {
    throw new SamflowError('BAD_OPTION', `nonMaxSuppression: boxNmsThresh must be in [0, 1], got ${String(boxNmsThresh)}`);
  }
  return mapSync(
    'nonMaxSuppression',
    (cs: readonly C[]) => {
      const boxes = cs.map((c) => lowResMaskBoxXyxy(c));
      const keep = nmsFn(
        boxes,
        cs.map((c) => c.predictedIou),
        boxNmsThresh,
      );
      return keep.map((i) => cs[i]);
    },
    options,
  );
}
