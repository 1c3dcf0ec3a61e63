import { stabilityScore } from './stabilityScore';
import { LOW_RES_SIZE, type MaskCandidate } from '../types';

/**
 * SAM's stability score of one candidate, computed on its low-res logits over the valid (unpadded)
 * area `transform.lowResValid`: count(logits > t + offset) / count(logits > t − offset).
 */
export function candidateStability(c: MaskCandidate, offset: number, maskThreshold = 0): number {
  const [validWidth, validHeight] = c.transform.lowResValid;
  return stabilityScore(c.lowResLogits, maskThreshold, offset, {
    width: LOW_RES_SIZE,
    height: LOW_RES_SIZE,
    validWidth: Math.min(validWidth, LOW_RES_SIZE),
    validHeight: Math.min(validHeight, LOW_RES_SIZE),
  });
}
