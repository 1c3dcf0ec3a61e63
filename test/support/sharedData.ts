import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** ../shared/data beside the repo, or undefined when absent (a user's machine): tests skip then. */
export const sharedDataDir: string | undefined = (() => {
  const dir = path.resolve(__dirname, '..', '..', '..', 'shared', 'data');
  return existsSync(dir) ? dir : undefined;
})();
