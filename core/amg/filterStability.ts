import { candidateStability } from '../masks/candidateStability';
import type { MaskCandidate } from '../types';

export interface StabilityFilterOptions {
  /** Keep candidates whose score is >= this (SAM default 0.95; 0 keeps all but still scores them). */
  readonly stabilityScoreThresh: number;
  /** Logit offset (SAM default 1.0). */
  readonly stabilityScoreOffset: number;
  /** Mask threshold on the logits (SAM: 0). */
  readonly maskThreshold?: number;
}

/**
 * SAM's stability filter: scores every candidate (the score is stored in `stabilityScore`) and keeps
 * those with score >= `stabilityScoreThresh`.
 */
export function filterStability<C extends MaskCandidate>(candidates: readonly C[], opts: StabilityFilterOptions): C[] {
  const out: C[] = [];
  for (const c of candidates) {
    const s = candidateStability(c, opts.stabilityScoreOffset, opts.maskThreshold ?? 0);
    if (opts.stabilityScoreThresh <= 0 || s >= opts.stabilityScoreThresh) out.push({ ...c, stabilityScore: s });
  }
  return out;
}
