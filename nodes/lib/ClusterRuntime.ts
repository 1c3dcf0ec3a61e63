import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { connectSamCluster, type SamCluster, type SamClusterOptions, type SamClusterStatus, type SamJob, type SamJobRecord, type SamJobResult, SamflowError } from '../../core';
import { imageFromMessage } from './imageFromMessage';

/** A user node's view of a sam-cluster config node's state. */
export interface ClusterUser {
  onClusterStatus(status: SamClusterStatus | undefined, error?: string): void;
}

/**
 * The runtime side of a sam-cluster config node: one NATS connection (opened on first use,
 * reconnecting by itself), shared by every node that names the config; status goes to every
 * registered user (jobs in flight, workers seen).
 */
export class ClusterRuntime {
  private cluster: Promise<SamCluster> | undefined;
  private readonly users = new Set<ClusterUser>();
  private last: SamClusterStatus | undefined;
  private closed = false;
  private readonly poll: ReturnType<typeof setInterval>;
  private jobs = 0;

  /** Messages a node sends to the cluster at once (the config's max in flight, default 8). */
  readonly concurrency: number;

  constructor(private readonly options: SamClusterOptions) {
    this.concurrency = options.maxInFlight ?? 8;
    // workers come and go without any job of ours: refresh the "workers seen" count now and then
    this.poll = setInterval(
      () =>
        void this.cluster?.then(
          (c) => this.publish(c.status),
          () => undefined,
        ),
      5000,
    );
    this.poll.unref?.();
  }

  register(user: ClusterUser): void {
    this.users.add(user);
    user.onClusterStatus(this.last);
  }
  deregister(user: ClusterUser): void {
    this.users.delete(user);
  }

  private publish(s: SamClusterStatus | undefined, error?: string): void {
    this.last = s;
    for (const u of this.users) u.onClusterStatus(s, error);
  }

  private connect(): Promise<SamCluster> {
    if (this.closed) return Promise.reject(new SamflowError('SOURCE_FAILED', 'sam-cluster: closed by a redeploy'));
    this.cluster ??= connectSamCluster({ ...this.options, onStatus: (s) => this.publish(s) }).then(
      (c) => {
        this.publish(c.status);
        return c;
      },
      (e: unknown) => {
        this.cluster = undefined; // try again on the next message
        this.publish(undefined, (e as Error).message);
        throw e;
      },
    );
    return this.cluster;
  }

  async submit(job: SamJob): Promise<SamJobResult> {
    return (await this.connect()).submit(job);
  }

  /**
   * The image of a message (msg.payload, msg.frameId) as one job for the cluster: its records, or
   * the job's error as a SamflowError (for done(err)). `nodeId` makes the job id unique.
   */
  async submitMessage(
    nodeId: string,
    msg: { readonly payload?: unknown; readonly frameId?: unknown },
    job: Pick<SamJob, 'task' | 'prompts' | 'options'>,
  ): Promise<readonly SamJobRecord[]> {
    const { image, id } = await jobImageFromMessage(msg.payload, msg.frameId);
    const r = await this.submit({ ...job, id: `${nodeId}:${++this.jobs}:${id}`, image, source: 'msg.payload' });
    if (!r.ok) throw resultError(r);
    return r.records;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    this.users.clear();
    const c = this.cluster;
    this.cluster = undefined;
    if (c)
      await c.then(
        (x) => x.close(),
        () => undefined,
      );
  }
}

/**
 * The encoded image file a message carries, for a cluster job: a Buffer as it is, a file path
 * read, a raw frame encoded as PNG. Returns the bytes and the id to use (msg.frameId, the path or
 * a content hash).
 */
export async function jobImageFromMessage(payload: unknown, frameId: unknown): Promise<{ image: Uint8Array; id: string }> {
  const { input, frameId: id } = imageFromMessage(payload, frameId);
  if (input instanceof Uint8Array) return { image: input, id };
  if (typeof input === 'string') {
    try {
      return { image: await readFile(input), id };
    } catch (e) {
      throw new SamflowError('BAD_IMAGE', `msg.payload: cannot read the image file ${input} (${(e as Error).message})`, input);
    }
  }
  const png = await sharp(input.data, { raw: { width: input.width, height: input.height, channels: input.channels } })
    .png()
    .toBuffer();
  return { image: png, id };
}

/** A cluster error result → the SamflowError a node reports with done(err). */
export function resultError(r: SamJobResult & { ok: false }): SamflowError {
  const code = r.error.code === 'WORKER_FAILED' || r.error.code === 'MAX_DELIVER' || r.error.code === 'TIMEOUT' ? 'SOURCE_FAILED' : r.error.code;
  return new SamflowError(code, r.error.message, r.source);
}
