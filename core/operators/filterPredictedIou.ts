import type { OperatorFunction } from 'rxjs';
import { AMG_DEFAULTS } from '../amg/AmgOptions';
import { filterPredictedIou as filterFn } from '../amg/filterPredictedIou';
import { SamflowError } from '../errors';
import type { ErrorPolicyOptions } from '../stream/SkippedItem';
import type { MaskCandidate } from '../types';
import { mapSync } from './mapSync';

/**
 * Keeps the candidates whose predicted IoU (the decoder's own quality estimate) is above
 * `predIouThresh`, per emitted group.
 *
 * Like a teacher returning only the essays the students themselves graded as good.
 *
 * ```
 * groups: --[a.95, b.50, c.90]----[d.20]--|
 * output: --[a.95, c.90]----------[]------|    (predIouThresh 0.88)
 * ```
 *
 * ## Example
 * ```ts
 * import { operators } from 'samflow';
 * candidates$.pipe(operators.filterPredictedIou(0.88));
 * ```
 *
 * @param predIouThresh Keep candidates with predictedIou > this (SAM default 0.88; 0 keeps all).
 * @param options `onError`/`errors` (this filter does not fail on valid candidates).
 * @returns An operator from MaskCandidate[] to MaskCandidate[] (empty groups are still emitted).
 *
 * Backpressure, errors and teardown: synchronous and stateless; nothing queues or is held.
 */
export function filterPredictedIou<C extends MaskCandidate>(
  predIouThresh: number = AMG_DEFAULTS.predIouThresh,
  options: ErrorPolicyOptions = {},
): OperatorFunction<readonly C[], C[]> {
  if (!(predIouThresh >= 0 && predIouThresh <= 1)) {
    throw new SamflowError('BAD_OPTION', `filterPredictedIou: predIouThresh must be in [0, 1], got ${String(predIouThresh)}`);
  }
  return mapSync('filterPredictedIou', (cs: readonly C[]) => filterFn(cs, predIouThresh), options);
}
