import type { MaskCandidate } from '../types';

/** SAM's predicted-IoU filter: keep candidates whose `predictedIou` is > `predIouThresh` (0 keeps all). */
export function filterPredictedIou<C extends MaskCandidate>(candidates: readonly C[], predIouThresh: number): C[] {
  if (predIouThresh <= 0) return [...candidates];
  return candidates.filter((c) => c.predictedIou > predIouThresh);
}
