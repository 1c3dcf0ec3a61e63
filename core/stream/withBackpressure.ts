import { asyncScheduler, defer, Observable, type ObservableInput, type Observer, type OperatorFunction, type Subscription } from 'rxjs';
import { SamflowError } from '../errors';
import { reportSkipped, type ErrorPolicyOptions } from './SkippedItem';
import type { BackpressurePolicy, StageStats } from './StageStats';
import { waitingLimit } from './waitingLimit';
import { checkPolicy } from './checkPolicy';
import { defaultIdOf } from './defaultIdOf';

/** Where stats events go: a callback or any observer (for example a Subject). */
export type StatsSink = ((stats: StageStats) => void) | Partial<Observer<StageStats>>;

export interface BackpressureOptions<T> extends ErrorPolicyOptions {
  /** Default `'all'` (no silent loss); use `'latest'` behind a live camera. */
  readonly policy?: BackpressurePolicy;
  /** Receives one StageStats per event (in, start, out, drop, error). */
  readonly stats?: StatsSink;
  /** Stage name used in stats-free messages and skipped-item reports. */
  readonly stage?: string;
  /** Id of an item for stats and error messages; default: `item.id`, `item.frame.id`, or the arrival counter. */
  readonly idOf?: (item: T) => string | undefined;
  /**
   * Before starting the next waiting item, let the event loop turn once (two setImmediate hops) so
   * items that arrived while the main thread was blocked (onnxruntime-node's encoder run blocks it)
   * are delivered first; with 'latest' the truly newest item is then taken. Default false (exact
   * virtual-time behaviour for marble tests); encodeImage turns it on for 'latest'.
   */
  readonly yieldBeforeNext?: boolean;
  /** Clock in ms; default `asyncScheduler.now()` (virtual under TestScheduler.run). */
  readonly now?: () => number;
  /**
   * Works running at once (default 1). Above 1 (a cluster of workers behind the stage) results are
   * emitted as they finish, and the policy applies to items waiting while all slots are busy.
   */
  readonly concurrency?: number;
}

/**
 * Runs `work` on one item at a time and decides, explicitly, what happens to items that arrive
 * while the work is busy.
 *
 * Like a single cashier: `'all'` lets everyone queue, `{ queue: n }` keeps at most n people in
 * line and sends the one who waited longest away, `'latest'` serves only whoever arrived last.
 *
 * ```
 * source:   a-b-c-d-----e--|
 * work:     each takes 4 frames
 * 'latest': ----A---D---E--(E done)|     b, c dropped (c replaced b, d replaced c)
 * 'all':    ----A---B---C---D---E|
 * ```
 *
 * ## Example
 * ```ts
 * import { withBackpressure } from 'samflow';
 * frames$.pipe(withBackpressure((f) => slowWork(f), { policy: 'latest', stats: (s) => console.log(s) }));
 * ```
 *
 * @param work Turns one item into its results (a Promise, an Observable, ...); called lazily, one
 *   item at a time.
 * @param options policy, stats sink, error policy.
 * @returns An operator emitting every value of every finished work, in start order.
 *
 * Backpressure, errors and teardown: at most one `work` runs at a time (`concurrency` when given,
 * results then in finishing order); waiting items are held
 * according to `policy` and every drop is counted in the stats stream. A failing work errors the
 * output (`onError: 'throw'`, default) or is reported to `errors` and skipped (`'skip'`). When the
 * source completes, waiting items are still processed, then the output completes. Unsubscribing
 * unsubscribes the running work (its late result is discarded), clears the waiting line and
 * starts nothing new.
 */
export function withBackpressure<T, R>(work: (item: T) => ObservableInput<R>, options: BackpressureOptions<T> = {}): OperatorFunction<T, R> {
  const stage = options.stage ?? 'withBackpressure';
  const policy = checkPolicy(options.policy ?? 'all', stage);
  const onError = options.onError ?? 'throw';
  if (onError !== 'throw' && onError !== 'skip') {
    throw new SamflowError('BAD_OPTION', `${stage}: option 'onError' must be 'throw' or 'skip', got ${JSON.stringify(onError)}`);
  }
  const now = options.now ?? (() => asyncScheduler.now());
  const limit = waitingLimit(policy);
  const concurrency = options.concurrency ?? 1;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new SamflowError('BAD_OPTION', `${stage}: option 'concurrency' must be a whole number >= 1, got ${JSON.stringify(options.concurrency)}`);
  }

  return (source) =>
    new Observable<R>((subscriber) => {
      let arrivals = 0;
      const idOf = (item: T): string => options.idOf?.(item) ?? defaultIdOf(item) ?? `#${arrivals}`;
      const waiting: { item: T; id: string; arrived: number }[] = [];
      let active = 0;
      /** Between a finished item and the next start while the event loop turns (yieldBeforeNext). */
      let yielding = false;
      let draining = false;
      let sourceDone = false;
      let closed = false;
      const activeSubs = new Set<Subscription>();
      let received = 0;
      let processed = 0;
      let dropped = 0;
      let errors = 0;

      const emit = (event: StageStats['event'], itemId: string, extra: Partial<StageStats> = {}): void => {
        const sink = options.stats;
        if (!sink) return;
        const stats: StageStats = {
          event,
          itemId,
          queueDepth: waiting.length,
          inFlight: active,
          received,
          processed,
          dropped,
          errors,
          time: now(),
          ...extra,
        };
        try {
          if (typeof sink === 'function') sink(stats);
          else sink.next?.(stats);
        } catch {
          // a failing stats sink must not take the stream down
        }
      };

      const maybeComplete = (): void => {
        if (sourceDone && active === 0 && !yielding && waiting.length === 0 && !closed) {
          closed = true;
          subscriber.complete();
        }
      };

      const next = (): void => {
        if (!options.yieldBeforeNext) {
          drain();
          return;
        }
        // arrivals during the hops are held by the policy as if the stage were still busy
        yielding = true;
        setImmediate(() =>
          setImmediate(() => {
            yielding = false;
            drain();
          }),
        );
      };

      const drain = (): void => {
        if (draining) return;
        draining = true;
        try {
          while (active < concurrency && !closed && waiting.length > 0) {
            const { item, id, arrived } = waiting.shift()!;
            const started = now();
            active++;
            emit('start', id);
            let finished = false;
            let sub: Subscription | undefined;
            const sub0 = defer(() => work(item)).subscribe({
              next: (r) => subscriber.next(r),
              error: (err: unknown) => {
                finished = true;
                active--;
                if (sub) activeSubs.delete(sub);
                errors++;
                const t = now();
                emit('error', id, { latencyMs: t - arrived, workMs: t - started });
                if (onError === 'throw') {
                  closed = true;
                  subscriber.error(err);
                } else {
                  reportSkipped(options.errors, stage, id, err);
                  next();
                }
              },
              complete: () => {
                finished = true;
                active--;
                if (sub) activeSubs.delete(sub);
                processed++;
                const t = now();
                emit('out', id, { latencyMs: t - arrived, workMs: t - started });
                next();
              },
            });
            if (!finished) {
              sub = sub0;
              activeSubs.add(sub0);
            }
          }
        } finally {
          draining = false;
        }
        maybeComplete();
      };

      const sourceSub = source.subscribe({
        next: (item) => {
          arrivals++;
          received++;
          const id = idOf(item);
          waiting.push({ item, id, arrived: now() });
          if (active >= concurrency || yielding) {
            while (waiting.length > limit) {
              const old = waiting.shift()!;
              dropped++;
              emit('drop', old.id);
            }
          }
          emit('in', id);
          if (!yielding) drain();
        },
        error: (err: unknown) => {
          closed = true;
          subscriber.error(err);
        },
        complete: () => {
          sourceDone = true;
          maybeComplete();
        },
      });

      return () => {
        closed = true;
        sourceSub.unsubscribe();
        for (const sub of activeSubs) sub.unsubscribe();
        activeSubs.clear();
        waiting.length = 0;
      };
    });
}
