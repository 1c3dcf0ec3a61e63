/**
 * samflow's internal entry for its own faces (nodes/, cli/, bench/): helpers that are not public
 * API and may change without notice. Not in package.json `exports`; see docs/architecture.md.
 */
export { RunTracker } from './model/RunTracker';
