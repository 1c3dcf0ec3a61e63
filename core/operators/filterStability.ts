import type { OperatorFunction } from 'rxjs';
import { AMG_DEFAULTS } from '../amg/AmgOptions';
import { filterStability as filterFn } from '../amg/filterStability';
import { SamflowError } from '../errors';
import type { ErrorPolicyOptions } from '../stream/SkippedItem';
import type { MaskCandidate } from '../types';
import { mapSync } from './mapSync';

export interface FilterStabilityOptions extends ErrorPolicyOptions {
  /** Keep candidates with stability ≥ this (SAM default 0.95; 0 scores but keeps all). */
  readonly stabilityScoreThresh?: number;
  /** Logit offset (SAM default 1.0). */
  readonly stabilityScoreOffset?: number;
}

/**
 * SAM's stability filter: scores each candidate by how little its mask changes when the logit
 * threshold moves by ±offset (IoU of the two binarisations, on the low-res logits) and keeps the
 * stable ones; the score is written to `stabilityScore`.
 *
 * Like keeping only the outlines that do not wobble when you squint.
 *
 * ```
 * groups: --[a(0.99), b(0.60)]----[c(0.97)]--|
 * output: --[a]-------------------[c]--------|    (stabilityScoreThresh 0.95)
 * ```
 *
 * ## Example
 * ```ts
 * import { operators } from 'samflow';
 * candidates$.pipe(operators.filterStability({ stabilityScoreThresh: 0.95, stabilityScoreOffset: 1 }));
 * ```
 *
 * @param options Thresholds with SAM's defaults, `onError`/`errors`.
 * @returns An operator from MaskCandidate[] to MaskCandidate[] with `stabilityScore` filled in.
 *
 * Backpressure, errors and teardown: synchronous (one pass over 256×256 logits per candidate),
 * stateless; nothing queues or is held.
 */
export function filterStability<C extends MaskCandidate>(options: FilterStabilityOptions = {}): OperatorFunction<readonly C[], C[]> {
  const stabilityScoreThresh = options.stabilityScoreThresh ?? AMG_DEFAULTS.stabilityScoreThresh;
  const stabilityScoreOffset = options.stabilityScoreOffset ?? AMG_DEFAULTS.stabilityScoreOffset;
  if (!(stabilityScoreThresh >= 0 && stabilityScoreThresh <= 1)) {
    throw new SamflowError('BAD_OPTION', `filterStability: stabilityScoreThresh must be in [0, 1], got ${String(stabilityScoreThresh)}`);
  }
  if (!(stabilityScoreOffset >= 0 && Number.isFinite(stabilityScoreOffset))) {
    throw new SamflowError('BAD_OPTION', `filterStability: stabilityScoreOffset must be a finite number ≥ 0, got ${String(stabilityScoreOffset)}`);
  }
  return mapSync('filterStability', (cs: readonly C[]) => filterFn(cs, { stabilityScoreThresh, stabilityScoreOffset }), options);
}
