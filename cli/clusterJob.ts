import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { connectSamCluster, type SamJob, type SamJobSuccess, SamflowError, type SamflowErrorCode, type SamClusterOptions } from '../core';

/**
 * One command-line job on the cluster (`--nats`): reads the image file, submits it, waits for the
 * result and returns it; an error result throws a SamflowError naming the image (exit 1).
 */
export async function runClusterJob(options: SamClusterOptions, image: string, job: Omit<SamJob, 'id' | 'image' | 'source'>): Promise<SamJobSuccess> {
  let bytes: Buffer;
  try {
    bytes = await readFile(image);
  } catch (e) {
    throw new SamflowError('BAD_IMAGE', `${image}: cannot read it (${(e as Error).message})`, image, { cause: e });
  }
  const cluster = await connectSamCluster({ ...options, maxInFlight: 1 });
  try {
    const r = await cluster.submit({ ...job, id: `${path.basename(image)}:${Date.now()}:${process.pid}`, image: bytes, source: image });
    if (!r.ok) {
      const code: SamflowErrorCode = r.error.code === 'WORKER_FAILED' || r.error.code === 'MAX_DELIVER' || r.error.code === 'TIMEOUT' ? 'SOURCE_FAILED' : r.error.code;
      throw new SamflowError(code, r.error.message.includes(image) ? r.error.message : `${image}: ${r.error.message}`, image);
    }
    return r;
  } finally {
    await cluster.close();
  }
}
