import { hostname } from 'node:os';
import { jetstream, jetstreamManager, type Consumer, type JsMsg } from '@nats-io/jetstream';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { millis, type NatsConnection } from '@nats-io/transport-node';
import type { CocoDetector } from '../detect/Detection';
import { SamflowError, isSamflowError, type SamflowErrorCode } from '../errors';
import type { SamModel } from '../model/SamModel';
import { ensureSamStreams } from './ensureSamStreams';
import { decodeJob, encodeResult, failure } from './jobCodec';
import { packPayload, unpackPayload } from './blobTransport';
import { connectNats, type SamNatsOptions } from './natsConnection';
import { resolveClusterDelivery, resolveClusterNames, type SamClusterDelivery, type SamClusterNames } from './SamClusterNames';
import type { SamJob, SamJobResult } from './SamJob';
import { runSamJob } from './runSamJob';

/** Failures that the same job would hit on any worker: answered at once with an error result. */
export const DETERMINISTIC_CODES: readonly SamflowErrorCode[] = ['BAD_IMAGE', 'IMAGE_TOO_LARGE', 'BAD_PROMPT', 'BAD_OPTION'];

export interface SamWorkerOptions extends SamNatsOptions {
  readonly names?: Partial<SamClusterNames>;
  /** Used when this worker is the first to create the streams. */
  readonly delivery?: Partial<SamClusterDelivery>;
  /** Jobs run at once on the model. Default 1. */
  readonly concurrency?: number;
  /** This worker's name in results and heartbeats. Default `<host>:<pid>`. */
  readonly workerName?: string;
  /** Largest image accepted (pixels). Default decodeImage's 100 M. */
  readonly maxPixels?: number;
  /** Largest job payload fetched from the object store (bytes). Default 256 MiB. */
  readonly maxJobBytes?: number;
  /** instances jobs without boxes: how to get the COCO detector (loaded once, on first use). */
  readonly loadDetector?: () => Promise<CocoDetector>;
  /** One line per event (job done, error, reconnect), for the CLI's stderr. */
  readonly log?: (line: string) => void;
}

export interface SamWorkerStats {
  readonly done: number;
  readonly failed: number;
  readonly busy: number;
}

export interface SamWorker {
  readonly name: string;
  readonly stats: SamWorkerStats;
  /** Graceful drain: finish the jobs in hand, take no new one, close the connection. */
  stop(): Promise<void>;
  /** Settles when the worker has stopped (after stop(), or when the connection closed for good). */
  readonly closed: Promise<void>;
}

const PULL_EXPIRES_MS = 3000;

/**
 * A samflow worker: pulls jobs from the work-queue stream (a free slot takes the next job: natural
 * backpressure), runs each on the local model with runSamJob, publishes the result to the job's
 * reply subject (deduplicated by job id), then acks. While a job runs it calls `working()` every
 * third of AckWait so a live worker's job is not redelivered; a dead worker's job is redelivered
 * after AckWait. A deterministic failure (bad image, prompt or option) becomes an error result at
 * once; any other failure is nak'ed for another try, and on the last allowed delivery reported as
 * an error result. `stop()` drains gracefully.
 */
export async function runSamWorker(model: SamModel, opts: SamWorkerOptions): Promise<SamWorker> {
  const names = resolveClusterNames(opts.names);
  const delivery = resolveClusterDelivery(opts.delivery);
  const concurrency = opts.concurrency ?? 1;
  if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 64)) {
    throw new SamflowError('BAD_OPTION', `worker: concurrency must be a whole number 1-64, got ${String(opts.concurrency)}`);
  }
  const name = opts.workerName ?? `${hostname()}:${process.pid}`;
  const log = opts.log ?? (() => undefined);
  const nc: NatsConnection = await connectNats({ name: `samflow worker ${name}`, ...opts });
  const jsm = await jetstreamManager(nc);
  await ensureSamStreams(jsm, names, delivery);
  const js = jetstream(nc);
  const consumer: Consumer = await js.consumers.get(names.stream, names.consumer);
  const ci = await consumer.info(true);
  const ackWaitMs = millis(ci.config.ack_wait ?? 30e9);
  const maxDeliver = ci.config.max_deliver && ci.config.max_deliver > 0 ? ci.config.max_deliver : Infinity;
  let storePromise: Promise<ObjectStore> | undefined;
  const store = (): Promise<ObjectStore> => (storePromise ??= new Objm(nc).create(names.bucket, { ttl: delivery.resultMaxAgeMs * 1e6 }));
  let detectorPromise: Promise<CocoDetector> | undefined;
  const detector = opts.loadDetector ? (): Promise<CocoDetector> => (detectorPromise ??= opts.loadDetector!()) : undefined;

  let stopping = false;
  let done = 0;
  let failed = 0;
  let busy = 0;
  const maxPayload = (): number => nc.info?.max_payload ?? 1024 * 1024;

  const announce = (): void => {
    try {
      nc.publish(names.heartbeatSubject, JSON.stringify({ worker: name, model: model.id, concurrency, busy, done, failed, stopping }));
    } catch {
      // disconnected: the next beat will do
    }
  };
  announce();
  const beat = setInterval(announce, 2000);

  async function publishResult(replyTo: string, result: SamJobResult): Promise<boolean> {
    const packed = await packPayload(encodeResult(result), `result-${result.id}-${result.attempt}-${name}`, maxPayload(), store);
    // retry through a broker restart; give up (no ack: the job is redelivered) after AckWait
    const deadline = Date.now() + Math.max(ackWaitMs, 10_000);
    for (let wait = 200; ; wait = Math.min(wait * 2, 2000)) {
      try {
        await js.publish(replyTo, packed.data, { msgID: `result:${replyTo}:${result.id}`, timeout: 5000 });
        return true;
      } catch (e) {
        if (Date.now() > deadline) {
          log(`worker: could not publish the result of job ${result.id}: ${(e as Error).message}; it will be redelivered`);
          return false;
        }
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  async function handle(m: JsMsg): Promise<void> {
    const attempt = m.info.deliveryCount;
    const started = performance.now();
    let lastWorking = Date.now();
    const working = (): void => {
      if (Date.now() - lastWorking < ackWaitMs / 3) return;
      lastWorking = Date.now();
      m.working();
    };
    const heartbeat = setInterval(() => m.working(), Math.max(250, Math.floor(ackWaitMs / 3)));
    let job: SamJob | undefined;
    let replyTo: string | undefined;
    try {
      let result: SamJobResult;
      try {
        const msg = await unpackPayload(m.data, `job on ${m.subject} #${m.seq}`, store, opts.maxJobBytes ?? 256 * 1024 * 1024);
        ({ job, replyTo } = decodeJob(msg, `job on ${m.subject} #${m.seq}`));
        if (!replyTo.startsWith(`${names.resultSubject}.`)) {
          throw new SamflowError('BAD_OPTION', `job ${job.id}: replyTo ${replyTo} is not under ${names.resultSubject}`);
        }
        log(`worker: job ${job.id} (${job.task}) started, attempt ${attempt}`);
        const out = await runSamJob(model, job, {
          ...(opts.maxPixels !== undefined ? { maxPixels: opts.maxPixels } : {}),
          ...(detector ? { detector } : {}),
          onProgress: working,
        });
        const { decodeMs, runMs, ...rest } = out;
        result = {
          id: job.id,
          task: job.task,
          ...(job.source !== undefined ? { source: job.source } : {}),
          ok: true,
          ...rest,
          worker: name,
          attempt,
          timings: { decodeMs, runMs, workerMs: performance.now() - started },
        };
      } catch (e) {
        const deterministic = isSamflowError(e) && DETERMINISTIC_CODES.includes(e.code);
        const message = e instanceof Error ? e.message : String(e);
        if (!job || !replyTo) {
          // not a job we can answer (garbage on the subject): drop it for good
          log(`worker: dropped an unreadable message #${m.seq}: ${message}`);
          m.term(message.slice(0, 200));
          return;
        }
        if (!deterministic && attempt < maxDeliver && !stopping) {
          log(`worker: job ${job.id} failed on attempt ${attempt} (${message}); handing it back`);
          m.nak(1000);
          return;
        }
        const src = job.source ?? job.id;
        result = failure(job, isSamflowError(e) ? e.code : 'WORKER_FAILED', message.includes(src) ? message : `${src}: ${message}`, name, attempt);
      }
      if (await publishResult(replyTo, result)) {
        try {
          await m.ackAck({ timeout: 5000 });
        } catch {
          // the ack is lost: the job comes back, its result is deduplicated
        }
        if (result.ok) done++;
        else failed++;
        log(`worker: job ${result.id} (${result.task}) ${result.ok ? 'done' : `failed: ${result.error.message}`} in ${Math.round(performance.now() - started)} ms`);
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function slot(): Promise<void> {
    while (!stopping && !nc.isClosed()) {
      let m: JsMsg | null;
      try {
        m = await consumer.next({ expires: PULL_EXPIRES_MS });
      } catch (e) {
        if (stopping || nc.isClosed()) break;
        log(`worker: pull failed (${(e as Error).message}); retrying`);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (!m) continue;
      if (stopping) {
        m.nak();
        break;
      }
      busy++;
      try {
        await handle(m);
      } catch (e) {
        log(`worker: ${(e as Error).message}`);
      } finally {
        busy--;
      }
    }
  }

  const slots = Array.from({ length: concurrency }, () => slot());
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      stopping = true;
      announce();
      await Promise.allSettled(slots);
      clearInterval(beat);
      if (!nc.isClosed()) await nc.drain().catch(() => undefined);
    })());
  const closed = Promise.allSettled(slots).then(() => stop());
  log(`worker ${name}: model ${model.id}, ${concurrency} slot(s), stream ${names.stream}, consumer ${names.consumer}, AckWait ${ackWaitMs} ms`);
  return {
    name,
    get stats() {
      return { done, failed, busy };
    },
    stop,
    closed,
  };
}
