import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The shared evaluation data folder beside the repo (../shared/data), whether or not it exists. */
export const sharedDataRoot = path.resolve(__dirname, '..', '..', '..', 'shared', 'data');

/** True when CI is set (CI=1, CI=true): missing test tools and data then fail instead of skipping. */
export const inCi: boolean = !!process.env.CI && process.env.CI !== '0' && process.env.CI !== 'false';

/**
 * A path under ../shared/data (`sharedData('grabcut/data_GT')`), or undefined when it is absent — a
 * user's machine: the tests using it skip, with a message. Under CI the absence throws, so the test
 * file fails instead of skipping silently.
 */
export function sharedData(relative = ''): string | undefined {
  const p = path.join(sharedDataRoot, relative);
  if (existsSync(p)) return p;
  const message = `test data ${p} is missing (the shared evaluation data beside the repo, ../shared/data)`;
  if (inCi) throw new Error(`${message} — required when CI is set`);
  console.warn(`skipped: ${message}`);
  return undefined;
}

/** Whether `relative` exists under ../shared/data; when not, tests skip (CI: this throws, see sharedData). */
export function hasSharedData(relative: string): boolean {
  return sharedData(relative) !== undefined;
}

/** ../shared/data, or undefined when absent (a user's machine): tests skip then; CI fails. */
export const sharedDataDir: string | undefined = sharedData();
