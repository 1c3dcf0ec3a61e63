import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { concatMap, defer, from, type Observable } from 'rxjs';
import { SamflowError } from '../errors';
import { decodeImage } from '../image/decodeImage';
import { IMAGE_EXTENSIONS } from '../image/imageFileExtensions';
import type { Frame } from '../types';
import { reportSkipped, type ErrorPolicyOptions } from './SkippedItem';

export interface FromImageFilesOptions extends ErrorPolicyOptions {
  /** Extensions kept when listing a directory or a glob (case-insensitive). Default: .jpg .jpeg .png .webp .tif .tiff .gif .avif. */
  readonly extensions?: readonly string[];
  /** List sub-directories of a directory too. Default false (a `**` glob always recurses). */
  readonly recursive?: boolean;
  /** Largest accepted image (pixels), as decodeImage. */
  readonly maxPixels?: number;
}

const GLOB_CHARS = /[*?[{]/;

/** A small glob → RegExp over '/'-separated relative paths: `**` (any depth), `*`, `?`, `[abc]`, `{a,b}`. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) throw new SamflowError('BAD_OPTION', `fromImageFiles: unclosed '{' in pattern '${glob}'`);
      re += `(?:${glob
        .slice(i + 1, end)
        .split(',')
        .map(escape)
        .join('|')})`;
      i = end;
    } else if (c === '[') {
      const end = glob.indexOf(']', i);
      if (end < 0) throw new SamflowError('BAD_OPTION', `fromImageFiles: unclosed '[' in pattern '${glob}'`);
      re += classToRegExp(glob.slice(i + 1, end), glob);
      i = end;
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`);
}

/** A glob character class body (`abc`, `a-z`, `!a-z` / `^a-z` negated) as a RegExp class; checked. */
function classToRegExp(body: string, glob: string): string {
  const negated = body.startsWith('!') || body.startsWith('^');
  const chars = negated ? body.slice(1) : body;
  if (chars === '') throw new SamflowError('BAD_OPTION', `fromImageFiles: empty character class '[${body}]' in pattern '${glob}'`, glob);
  const cls = `[${negated ? '^/' : ''}${chars.replace(/[\\\]^]/g, '\\$&')}]`;
  try {
    new RegExp(cls);
  } catch {
    throw new SamflowError('BAD_OPTION', `fromImageFiles: bad character class '[${body}]' in pattern '${glob}' (a range must go low to high, like [a-z] or [0-9])`, glob);
  }
  return cls;
}

function escape(s: string): string {
  return s.replace(/[.+^$()|\\/\]]/g, '\\$&');
}

async function walk(dir: string, recursive: boolean, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) await walk(p, recursive, out);
    } else if (e.isFile()) out.push(p);
  }
}

/**
 * Lists image files: explicit paths are kept as given (in order); a directory gives its images
 * (sorted); a glob such as `photos/*.jpg` or `data/**\/*.{png,jpg}` gives its matches (sorted).
 * Node 20 has no fs.glob, so this implements `**`, `*`, `?`, `[..]` and `{a,b}` itself.
 */
export async function listImageFiles(globOrPaths: string | readonly string[], options: FromImageFilesOptions = {}): Promise<string[]> {
  const exts = (options.extensions ?? IMAGE_EXTENSIONS).map((e) => e.toLowerCase());
  const wanted = (p: string): boolean => exts.includes(path.extname(p).toLowerCase());
  if (typeof globOrPaths !== 'string') return [...globOrPaths];
  const spec = globOrPaths;
  if (!GLOB_CHARS.test(spec)) {
    let st;
    try {
      st = await stat(spec);
    } catch {
      throw new SamflowError('BAD_OPTION', `fromImageFiles: '${spec}' does not exist; give a directory, a file or a glob like 'photos/*.jpg'`, spec);
    }
    if (st.isFile()) return [spec];
    const files: string[] = [];
    await walk(spec, options.recursive ?? false, files);
    return files.filter(wanted).sort();
  }
  const parts = spec.split(/[\\/]/);
  const firstGlob = parts.findIndex((p) => GLOB_CHARS.test(p));
  const base = parts.slice(0, firstGlob).join('/') || '.';
  const rest = parts.slice(firstGlob).join('/');
  const re = globToRegExp(rest);
  const files: string[] = [];
  try {
    await walk(base, rest.includes('**') || rest.includes('/'), files);
  } catch {
    throw new SamflowError('BAD_OPTION', `fromImageFiles: the folder '${base}' of pattern '${spec}' cannot be read`, spec);
  }
  return files.filter((f) => re.test(path.relative(base, f).split(path.sep).join('/')) && wanted(f)).sort();
}

/**
 * Emits the images of a directory, a glob or a list of paths as decoded Frames (id = file path),
 * one after another.
 *
 * Like a slide projector: one slide at a time, in order, and a cracked slide is set aside.
 *
 * ```
 * files:  a.png b.png bad.png c.png
 * output: --A--B-----C|        (bad.png reported to `errors`, default onError 'skip')
 * ```
 *
 * ## Example
 * ```ts
 * import { fromImageFiles, operators, loadSamModel } from 'samflow';
 * const model = await loadSamModel();
 * fromImageFiles('photos/**\/*.jpg').pipe(operators.encodeImage(model, { policy: 'all' })).subscribe(console.log);
 * ```
 *
 * @param globOrPaths A directory, a file, a glob, or an array of paths.
 * @param options `extensions`, `recursive`, `maxPixels`, `onError` (default 'skip' for this source:
 *   one unreadable file in a folder should not stop a batch; 'throw' to fail instead), `errors`.
 * @returns A cold Observable of Frames; each subscription lists and decodes anew.
 *
 * Backpressure, errors and teardown: files are decoded one at a time, as fast as the decoder goes;
 * with `policy: 'all'` downstream, decoded frames wait in the encoder's queue (≈ width×height×3
 * bytes each), so for thousands of large images decode inside the encode step instead
 * (`from(await listImageFiles(dir)).pipe(concatMap(...))`). A missing folder errors with
 * SamflowError BAD_OPTION. Unsubscribing stops after the decode in flight.
 */
export function fromImageFiles(globOrPaths: string | readonly string[], options: FromImageFilesOptions = {}): Observable<Frame> {
  const onError = options.onError ?? 'skip';
  return defer(() => from(listImageFiles(globOrPaths, options))).pipe(
    concatMap((files) => from(files)),
    concatMap(async (file): Promise<Frame[]> => {
      try {
        return [await decodeImage(file, { maxPixels: options.maxPixels })];
      } catch (err) {
        if (onError === 'throw') throw err;
        reportSkipped(options.errors, 'fromImageFiles', file, err);
        return [];
      }
    }),
    concatMap((frames) => frames),
  );
}
