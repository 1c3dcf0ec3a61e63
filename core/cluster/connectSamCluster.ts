import { DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages } from '@nats-io/jetstream';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { nuid, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { LruMap } from '../LruMap';
import { SamflowError } from '../errors';
import { ensureSamStreams } from './ensureSamStreams';
import { checkJobShape, decodeResult, encodeJob, failure } from './jobCodec';
import { packPayload, unpackPayload } from './blobTransport';
import { connectNats, type SamNatsOptions } from './natsConnection';
import { resolveClusterDelivery, resolveClusterNames, type SamClusterDelivery, type SamClusterNames } from './SamClusterNames';
import type { SamJob, SamJobResult } from './SamJob';

export interface SamClusterOptions extends SamNatsOptions {
  readonly names?: Partial<SamClusterNames>;
  /** Used when this client is the first to create the streams. */
  readonly delivery?: Partial<SamClusterDelivery>;
  /** Jobs submitted and not yet answered, at most; further submit() calls wait for a slot. Default 32. */
  readonly maxInFlight?: number;
  /** A job without a result after this long resolves as a TIMEOUT error result. Default 0: wait. */
  readonly jobTimeoutMs?: number;
  /** Largest result fetched from the object store (bytes). Default 256 MiB. */
  readonly maxResultBytes?: number;
  /** Called on every change of jobs in flight or workers seen (for a status line). */
  readonly onStatus?: (status: SamClusterStatus) => void;
}

export interface SamClusterWorker {
  readonly worker: string;
  readonly model: string;
  readonly concurrency: number;
  readonly busy: number;
  readonly lastSeen: number;
}

export interface SamClusterStatus {
  /** Submitted, not yet answered. */
  readonly inFlight: number;
  /** Waiting in submit() for a slot (maxInFlight reached). */
  readonly waiting: number;
  /** Workers heard from in the last 10 s. */
  readonly workers: number;
  readonly done: number;
  readonly failed: number;
}

export interface SubmitOptions {
  readonly signal?: AbortSignal;
}

export interface SamCluster {
  /** This client's id: its results arrive on `<resultSubject>.<clientId>`. */
  readonly clientId: string;
  /**
   * Sends a job and resolves with its result, an error result (`ok: false`) included: a job never
   * rejects for its own content. Rejects only when the cluster cannot be reached, the signal
   * aborts, or the client closes. The job id is its idempotency key: submitting an id that is in
   * flight returns the same promise; an id among the last 256 answered returns the first result.
   */
  submit(job: SamJob, options?: SubmitOptions): Promise<SamJobResult>;
  readonly status: SamClusterStatus;
  /** Workers heard from in the last 10 s. */
  workers(): SamClusterWorker[];
  /** Stops: jobs in flight reject; the connection drains. */
  close(): Promise<void>;
}

interface Pending {
  readonly job: Pick<SamJob, 'id' | 'task' | 'source'>;
  readonly promise: Promise<SamJobResult>;
  readonly resolve: (r: SamJobResult) => void;
  readonly reject: (e: Error) => void;
  readonly submitted: number;
  blobRef?: string;
  seq?: number;
  timer?: ReturnType<typeof setTimeout>;
}

const WORKER_SEEN_MS = 10_000;

/**
 * Connects a client to a samflow cluster on NATS JetStream (the streams are created when missing).
 * Jobs go to the work-queue stream (payloads above the server's max_payload via the object store);
 * results come back on this client's own subject of the results stream through an ordered consumer,
 * so they survive a broker restart; the first result per job id wins and later ones are dropped.
 *
 * ```ts
 * const cluster = await connectSamCluster({ servers: 'nats://10.0.0.5:4222' });
 * const r = await cluster.submit({ id: 'cat.jpg', task: 'everything', image: await readFile('cat.jpg') });
 * if (r.ok) console.log(r.records.length, 'masks by', r.worker);
 * await cluster.close();
 * ```
 */
export async function connectSamCluster(opts: SamClusterOptions): Promise<SamCluster> {
  const names = resolveClusterNames(opts.names);
  const delivery = resolveClusterDelivery(opts.delivery);
  const maxInFlight = opts.maxInFlight ?? 32;
  if (!(Number.isInteger(maxInFlight) && maxInFlight >= 1 && maxInFlight <= 100_000)) {
    throw new SamflowError('BAD_OPTION', `cluster: maxInFlight must be a whole number 1-100000, got ${String(opts.maxInFlight)}`);
  }
  const jobTimeoutMs = opts.jobTimeoutMs ?? 0;
  if (!(jobTimeoutMs >= 0)) throw new SamflowError('BAD_OPTION', `cluster: jobTimeoutMs must be >= 0, got ${String(opts.jobTimeoutMs)}`);
  const clientId = nuid.next();
  const replyTo = `${names.resultSubject}.${clientId}`;
  const nc: NatsConnection = await connectNats({ name: `samflow client ${clientId}`, ...opts });
  let results: ConsumerMessages | undefined;
  let advisories: Subscription | undefined;
  let beats: Subscription | undefined;
  try {
    const jsm = await jetstreamManager(nc);
    await ensureSamStreams(jsm, names, delivery);
    const js = jetstream(nc);
    let storePromise: Promise<ObjectStore> | undefined;
    const store = (): Promise<ObjectStore> => (storePromise ??= new Objm(nc).create(names.bucket, { ttl: delivery.resultMaxAgeMs * 1e6 }));
    const maxPayload = (): number => nc.info?.max_payload ?? 1024 * 1024;

    const pending = new Map<string, Pending>();
    const bySeq = new Map<number, string>();
    const answered = new LruMap<string, SamJobResult>(256);
    const slotWaiters: Array<() => void> = [];
    const workersSeen = new Map<string, SamClusterWorker>();
    let closed = false;
    let done = 0;
    let failed = 0;

    const status = (): SamClusterStatus => {
      const now = Date.now();
      let workers = 0;
      for (const w of workersSeen.values()) if (now - w.lastSeen < WORKER_SEEN_MS) workers++;
      return { inFlight: pending.size, waiting: slotWaiters.length, workers, done, failed };
    };
    const report = (): void => {
      try {
        opts.onStatus?.(status());
      } catch {
        // a failing status callback must not stop the client
      }
    };

    const settle = (id: string, result: SamJobResult): void => {
      const p = pending.get(id);
      if (!p) return; // a duplicate (redelivered job, resubmission): the first result already won
      pending.delete(id);
      if (p.seq !== undefined) bySeq.delete(p.seq);
      if (p.timer) clearTimeout(p.timer);
      if (p.blobRef)
        void store()
          .then((os) => os.delete(p.blobRef!))
          .catch(() => undefined);
      const final: SamJobResult = { ...result, timings: { ...result.timings, totalMs: Date.now() - p.submitted } };
      answered.set(id, final);
      if (final.ok) done++;
      else failed++;
      p.resolve(final);
      slotWaiters.shift()?.();
      report();
    };

    // results: an ordered consumer on this client's subject (recreated by the library after a broker restart)
    const rc = await js.consumers.get(names.resultStream, { filter_subjects: replyTo, deliver_policy: DeliverPolicy.All });
    results = await rc.consume();
    void (async () => {
      for await (const m of results) {
        try {
          const msg = await unpackPayload(m.data, `result on ${m.subject}`, store, opts.maxResultBytes ?? 256 * 1024 * 1024);
          const r = decodeResult(msg, `result on ${m.subject}`);
          if (msg.ref)
            void store()
              .then((os) => os.delete(msg.ref!))
              .catch(() => undefined);
          settle(r.id, r);
        } catch {
          // not a result we can read: ignore it (it names no job we could fail)
        }
      }
    })();

    // a job that used up MaxDeliver without an answer (its workers kept dying) fails here
    advisories = nc.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${names.stream}.${names.consumer}`, {
      callback: (_err, m) => {
        try {
          const seq = m.json<{ stream_seq?: number }>().stream_seq;
          const id = seq !== undefined ? bySeq.get(seq) : undefined;
          const p = id !== undefined ? pending.get(id) : undefined;
          if (p)
            settle(
              p.job.id,
              failure(
                p.job,
                'MAX_DELIVER',
                `${p.job.source ?? p.job.id}: no worker finished this job in ${delivery.maxDeliver} deliveries (workers died or timed out)`,
                'cluster',
                delivery.maxDeliver,
              ),
            );
        } catch {
          // malformed advisory
        }
      },
    });
    beats = nc.subscribe(names.heartbeatSubject, {
      callback: (_err, m) => {
        try {
          const b = m.json<{ worker?: unknown; model?: unknown; concurrency?: unknown; busy?: unknown; stopping?: unknown }>();
          if (typeof b.worker !== 'string') return;
          if (b.stopping === true) workersSeen.delete(b.worker);
          else workersSeen.set(b.worker, { worker: b.worker, model: String(b.model), concurrency: Number(b.concurrency) || 1, busy: Number(b.busy) || 0, lastSeen: Date.now() });
          report();
        } catch {
          // malformed heartbeat
        }
      },
    });

    async function publish(job: SamJob, p: Pending): Promise<void> {
      const packed = await packPayload(encodeJob(job, replyTo), `job-${clientId}-${job.id}`, maxPayload(), store);
      if (packed.ref) p.blobRef = packed.ref;
      for (let wait = 200; ; wait = Math.min(wait * 2, 2000)) {
        try {
          const ack = await js.publish(`${names.jobSubject}.${job.task}`, packed.data, { msgID: `${clientId}:${job.id}`, timeout: 5000 });
          p.seq = ack.seq;
          bySeq.set(ack.seq, job.id);
          return;
        } catch (e) {
          // keep trying through a reconnect; give up when the connection is closed for good
          if (closed || nc.isClosed()) throw new SamflowError('SOURCE_FAILED', `cluster: cannot publish job ${job.id}: ${(e as Error).message}`, job.source, { cause: e });
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    }

    const submit = async (job: SamJob, so: SubmitOptions = {}): Promise<SamJobResult> => {
      if (closed) throw new SamflowError('SOURCE_FAILED', 'cluster: this client is closed');
      checkJobShape(job, `job ${String(job.id)}`);
      if (!(job.image instanceof Uint8Array) || job.image.length === 0) {
        throw new SamflowError('BAD_IMAGE', `job ${job.id}: image must be the encoded image file's bytes (a Buffer/Uint8Array)`, job.source);
      }
      const known = pending.get(job.id);
      if (known) return known.promise;
      const first = answered.get(job.id);
      if (first) return first;
      while (pending.size >= maxInFlight) {
        await new Promise<void>((r) => slotWaiters.push(r));
        report();
        if (closed) throw new SamflowError('SOURCE_FAILED', 'cluster: this client is closed');
        so.signal?.throwIfAborted();
        const again = pending.get(job.id) ?? undefined;
        if (again) return again.promise;
      }
      so.signal?.throwIfAborted();
      let resolve!: (r: SamJobResult) => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<SamJobResult>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      const p: Pending = { job: { id: job.id, task: job.task, ...(job.source !== undefined ? { source: job.source } : {}) }, promise, resolve, reject, submitted: Date.now() };
      pending.set(job.id, p);
      if (jobTimeoutMs > 0)
        p.timer = setTimeout(() => settle(job.id, failure(p.job, 'TIMEOUT', `${job.source ?? job.id}: no result within ${jobTimeoutMs} ms`, 'client', 0)), jobTimeoutMs);
      so.signal?.addEventListener(
        'abort',
        () => {
          if (pending.get(job.id) !== p) return;
          pending.delete(job.id);
          if (p.timer) clearTimeout(p.timer);
          slotWaiters.shift()?.();
          reject(so.signal!.reason instanceof Error ? so.signal!.reason : new Error('aborted'));
          report();
        },
        { once: true },
      );
      report();
      try {
        await publish(job, p);
      } catch (e) {
        if (pending.get(job.id) === p) {
          pending.delete(job.id);
          slotWaiters.shift()?.();
          report();
        }
        reject(e as Error);
      }
      return promise;
    };

    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      for (const p of pending.values()) {
        if (p.timer) clearTimeout(p.timer);
        p.reject(new SamflowError('SOURCE_FAILED', `cluster: client closed before job ${p.job.id} was answered`, p.job.source));
      }
      pending.clear();
      for (const w of slotWaiters.splice(0)) w();
      beats?.unsubscribe();
      advisories?.unsubscribe();
      results?.stop();
      if (!nc.isClosed()) await nc.drain().catch(() => undefined);
    };

    return {
      clientId,
      submit,
      get status() {
        return status();
      },
      workers: () => [...workersSeen.values()].filter((w) => Date.now() - w.lastSeen < WORKER_SEEN_MS),
      close,
    };
  } catch (e) {
    await nc.close().catch(() => undefined);
    throw e;
  }
}
