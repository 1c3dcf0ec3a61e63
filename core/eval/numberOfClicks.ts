/**
 * NoC@threshold for one object (RITM's `compute_noc_metric`): the 1-based index of the first click
 * whose IoU reaches `threshold`, or `maxClicks` when none does within the first `maxClicks`.
 * @param ious IoU after click 1, 2, ...
 */
export function numberOfClicks(ious: readonly number[], threshold: number, maxClicks = 20): number {
  const n = Math.min(ious.length, maxClicks);
  for (let i = 0; i < n; i++) if (ious[i] >= threshold) return i + 1;
  return maxClicks;
}
