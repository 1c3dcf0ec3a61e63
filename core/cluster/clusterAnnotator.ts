import { readFile, stat } from 'node:fs/promises';
import type { AmgOptions } from '../amg/AmgOptions';
import type { ImageAnnotator } from '../annotate/annotateFolder';
import { SamflowError } from '../errors';
import type { AmgRecord } from '../records';
import type { CompressedRle } from '../types';
import type { SamCluster } from './connectSamCluster';
import type { SamJobOptions } from './SamJob';

export interface ClusterAnnotatorOptions {
  /** AMG options sent with every image (JSON values). */
  readonly amg?: AmgOptions;
  /** Images in flight at once (read into memory meanwhile). Default 16, or 2 × the workers seen when more. */
  readonly concurrency?: number;
  /** Files above this are reported unreadable without being sent (bytes). Default 256 MiB. */
  readonly maxFileBytes?: number;
}

/**
 * annotateFolder's per-image work on a cluster: each image file is sent as an `everything` job
 * (id: its folder-relative name) and its records come back from whichever worker took it. An
 * error result (unreadable image, or a job no worker could finish) leaves the image out of the
 * output and is reported; a later `--resume` run tries it again.
 */
export function clusterAnnotator(cluster: SamCluster, opts: ClusterAnnotatorOptions = {}): ImageAnnotator {
  const maxFileBytes = opts.maxFileBytes ?? 256 * 1024 * 1024;
  const { signal: _s, onProgress: _p, outputMode: _o, ...amg } = (opts.amg ?? {}) as AmgOptions & { signal?: unknown; onProgress?: unknown };
  const options: SamJobOptions = amg;
  return {
    concurrency: opts.concurrency ?? Math.max(16, 2 * cluster.workers().length),
    async annotate(file, absPath, ctx) {
      let image: Buffer;
      try {
        const st = await stat(absPath);
        if (st.size > maxFileBytes) return { unreadable: new SamflowError('IMAGE_TOO_LARGE', `${file}: ${st.size} bytes, above the ${maxFileBytes}-byte limit`, file) };
        image = await readFile(absPath);
      } catch (e) {
        return { unreadable: new SamflowError('BAD_IMAGE', `${file}: cannot read it (${(e as Error).message})`, file) };
      }
      const r = await cluster.submit({ id: file, task: 'everything', options, image, source: file }, ctx.signal ? { signal: ctx.signal } : {});
      if (!r.ok) {
        const code = r.error.code === 'IMAGE_TOO_LARGE' || r.error.code === 'BAD_IMAGE' ? r.error.code : 'SOURCE_FAILED';
        return { unreadable: new SamflowError(code, r.error.message.includes(file) ? r.error.message : `${file}: ${r.error.message}`, file) };
      }
      return { width: r.width, height: r.height, records: r.records as AmgRecord<CompressedRle>[], model: r.model };
    },
  };
}
