import type { BackpressurePolicy } from './StageStats';

/** How many items may wait behind a busy stage under `policy`: 'latest' 1, `{ queue: n }` n, 'all' unbounded. */
export function waitingLimit(policy: BackpressurePolicy): number {
  return policy === 'all' ? Infinity : policy === 'latest' ? 1 : policy.queue;
}
