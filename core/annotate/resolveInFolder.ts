import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { IMAGE_EXTENSIONS, isImageFileName } from '../image/imageFileExtensions';
import { AnnotateHttpError } from './AnnotateHttpError';

/** True when `child` (already resolved) is `root` itself or lies below it. */
export function isInside(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Resolve a file name sent by the page to a real path inside `folderReal` (the folder's realpath),
 * refusing anything that could read outside it: absolute paths, drive letters, `..` segments,
 * NUL bytes, and symlinks whose target lies outside the folder. The file must exist, be a regular
 * file and have an image extension.
 *
 * @param folderReal `fs.realpath` of the configured folder.
 * @param relPath    a path relative to the folder with `/` separators, as listed by `listImages`.
 * @returns the file's real path.
 * @throws AnnotateHttpError 400 (malformed), 403 (outside the folder / not an image), 404 (missing).
 */
export async function resolveInFolder(folderReal: string, relPath: unknown): Promise<string> {
  if (typeof relPath !== 'string' || relPath.length === 0) {
    throw new AnnotateHttpError(400, 'BAD_OPTION', 'file: expected a file name relative to the annotation folder, got nothing');
  }
  if (relPath.length > 1024 || relPath.includes('\0')) {
    throw new AnnotateHttpError(400, 'BAD_OPTION', 'file: the file name is too long or holds a NUL byte; send a name from the image list', relPath.slice(0, 64));
  }
  const segments = relPath.split(/[\\/]/);
  if (path.isAbsolute(relPath) || /^[a-zA-Z]:/.test(relPath) || relPath.startsWith('/') || relPath.startsWith('\\')) {
    throw new AnnotateHttpError(403, 'BAD_OPTION', `file "${relPath}": absolute paths are refused; send a name relative to the annotation folder`, relPath);
  }
  if (segments.some((s) => s === '..')) {
    throw new AnnotateHttpError(403, 'BAD_OPTION', `file "${relPath}": ".." is refused; only files inside the annotation folder can be read`, relPath);
  }
  if (!isImageFileName(relPath)) {
    throw new AnnotateHttpError(403, 'BAD_OPTION', `file "${relPath}": not an image (allowed: ${IMAGE_EXTENSIONS.join(' ')})`, relPath);
  }
  const joined = path.join(folderReal, ...segments.filter((s) => s !== '' && s !== '.'));
  let real: string;
  try {
    real = await fsp.realpath(joined);
  } catch {
    throw new AnnotateHttpError(404, 'BAD_IMAGE', `file "${relPath}": not found in the annotation folder; reload the image list`, relPath);
  }
  if (!isInside(folderReal, real)) {
    throw new AnnotateHttpError(403, 'BAD_OPTION', `file "${relPath}": is a link to a place outside the annotation folder; copy the file into the folder instead`, relPath);
  }
  const st = await fsp.stat(real);
  if (!st.isFile()) {
    throw new AnnotateHttpError(403, 'BAD_OPTION', `file "${relPath}": not a regular file`, relPath);
  }
  return real;
}
