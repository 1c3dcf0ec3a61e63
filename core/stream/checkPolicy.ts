import { SamflowError } from '../errors';
import type { BackpressurePolicy } from './StageStats';

/** Checks a policy value and says what is allowed when it is wrong. */
export function checkPolicy(policy: unknown, stage: string): BackpressurePolicy {
  if (policy === 'latest' || policy === 'all') return policy;
  if (typeof policy === 'object' && policy !== null && 'queue' in policy) {
    const n = policy.queue;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0) return { queue: n };
  }
  throw new SamflowError('BAD_OPTION', `${stage}: option 'policy' must be 'latest', 'all' or { queue: n } with n a whole number ≥ 0, got ${JSON.stringify(policy)}`);
}
