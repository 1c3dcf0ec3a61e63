import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { isImageFileName } from '../image/imageFileExtensions';
import { isInside } from './resolveInFolder';

export interface ListImagesOptions {
  /** How deep to descend into sub-folders (0 = only the folder itself). Default 8. */
  readonly maxDepth?: number;
  /** Stop after this many images. Default 100000. */
  readonly maxFiles?: number;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * The images of a folder as `/`-separated paths relative to it, in natural order ("img2" before
 * "img10"). Hidden entries (starting with ".") are skipped, and so is every symlink whose target
 * lies outside the folder.
 *
 * @param folderReal `fs.realpath` of the folder.
 */
export async function listImages(folderReal: string, opts: ListImagesOptions = {}): Promise<string[]> {
  const maxDepth = opts.maxDepth ?? 8;
  const maxFiles = opts.maxFiles ?? 100_000;
  const out: string[] = [];
  const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
    const entries = await fsp.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => collator.compare(a.name, b.name));
    for (const e of entries) {
      if (out.length >= maxFiles) return;
      if (e.name.startsWith('.')) continue;
      const abs = path.join(dir, e.name);
      const relName = rel ? `${rel}/${e.name}` : e.name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const real = await fsp.realpath(abs);
          if (!isInside(folderReal, real)) continue;
          const st = await fsp.stat(real);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue;
        }
        if (isDir) continue; // links to folders inside could loop; list the folder itself instead
      }
      if (isDir && depth < maxDepth) await walk(abs, relName, depth + 1);
      else if (isFile && isImageFileName(e.name)) out.push(relName);
    }
  };
  await walk(folderReal, '', 0);
  return out;
}
