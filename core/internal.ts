/**
 * samflow's internal entry for its own faces (cli/, nodes/, bench/) and tests: helpers that are not
 * public API and may change without notice. Not in package.json `exports` (so `import 'samflow'`
 * never sees it); see docs/architecture.md ("Public API and the internal entry").
 */
export { RunTracker } from './model/RunTracker';
export { waitingLimit } from './stream/waitingLimit';
export { packageRoot } from './model/packageRoot';
export { fileSha256 } from './model/fileSha256';
export { readJsonBody, DEFAULT_MAX_BODY_BYTES, type AnnotateRequest } from './annotate/readJsonBody';
export { resolveInFolder, isInside } from './annotate/resolveInFolder';
export { resolveFiles } from './model/resolveModelFiles';
