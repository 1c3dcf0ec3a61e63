import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/**
 * The files under `dir` a route may send, keyed by their URL path (`/` separators, no leading
 * slash), e.g. `core/geometry/SamTransform.js`. Only names made of letters, digits, `_`, `-` and `.`
 * ending in one of `exts`; links and hidden files are left out. A missing folder lists nothing.
 * Routes look names up here and never join a path from the URL.
 */
export async function listServedFiles(dir: string, exts: readonly string[], recursive: boolean): Promise<ReadonlyMap<string, string>> {
  const found = new Map<string, string>();
  const walk = async (sub: string): Promise<void> => {
    let entries;
    try {
      entries = await fsp.readdir(path.join(dir, sub), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(e.name)) continue;
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory() && recursive) await walk(rel);
      else if (e.isFile() && exts.includes(path.extname(e.name))) found.set(rel, path.join(dir, rel));
    }
  };
  await walk('');
  return found;
}
