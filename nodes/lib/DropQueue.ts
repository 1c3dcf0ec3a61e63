import type { BackpressurePolicy } from '../../core';
import { waitingLimit } from '../../core/internal';

/**
 * A node's drop policy from its config (the editor's select): how it treats messages that arrive
 * while it is busy (a camera sends 25 frames/s, the encoder takes ~1 s each), as core's
 * BackpressurePolicy:
 * - 'latest': keep only the newest waiting message; older waiting ones are dropped (default),
 * - 'queue': keep up to `queueSize` waiting messages; when full, the oldest waiting one is dropped,
 * - 'all': keep every message (unbounded; only for finite inputs such as a folder of files).
 */
export function nodePolicy(option: unknown, queueSize = 4): BackpressurePolicy {
  return option === 'all' ? 'all' : option === 'queue' ? { queue: queueSize } : 'latest';
}

/** The policy's name as the editor shows it: 'latest', 'queue' or 'all'. */
export function policyName(policy: BackpressurePolicy): string {
  return typeof policy === 'object' ? 'queue' : policy;
}

/** Why an item left the queue without being worked on: pushed out by a newer one, or the queue closed. */
export type DropReason = 'dropped' | 'closed';

export interface DropQueueStats {
  readonly waiting: number;
  readonly dropped: number;
  readonly processed: number;
  readonly busy: boolean;
  /** Items being worked on now. */
  readonly active: number;
}

/**
 * Runs `work` on `concurrency` items at a time (default one) under a drop policy. Dropped items are handed to `onDrop` with the reason (so a
 * node can end them with `done(err)`, see finishDropped), and every change is reported through `onChange` for the status.
 */
export class DropQueue<T> {
  private readonly waiting: T[] = [];
  private readonly running = new Set<T>();
  private active = 0;
  private closed = false;
  private droppedCount = 0;
  private processedCount = 0;

  constructor(
    private readonly policy: BackpressurePolicy,
    private readonly work: (item: T) => Promise<void>,
    private readonly onDrop: (item: T, reason: DropReason) => void,
    private readonly onChange: (stats: DropQueueStats) => void = () => undefined,
    /** Items worked on at once (a cluster behind the node); default 1. */
    private readonly concurrency = 1,
  ) {
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError(`DropQueue: concurrency must be an integer >= 1, got ${concurrency}`);
    if (typeof policy === 'object' && !(Number.isInteger(policy.queue) && policy.queue >= 1)) {
      throw new RangeError(`DropQueue: queue must be an integer >= 1 for the 'queue' policy, got ${policy.queue}`);
    }
  }

  get stats(): DropQueueStats {
    return { waiting: this.waiting.length, dropped: this.droppedCount, processed: this.processedCount, busy: this.active > 0, active: this.active };
  }

  push(item: T): void {
    if (this.closed) {
      this.drop(item, 'closed');
      return;
    }
    this.waiting.push(item);
    const limit = waitingLimit(this.policy);
    while (this.waiting.length > limit) {
      const old = this.waiting.shift();
      if (old !== undefined) this.drop(old, 'dropped');
    }
    this.onChange(this.stats);
    this.pump();
  }

  /** The items being worked on (at most `concurrency`). */
  get current(): readonly T[] {
    return [...this.running];
  }

  /** Drops everything waiting (the running item finishes); later pushes are dropped. */
  close(): void {
    this.closed = true;
    for (const item of this.waiting.splice(0)) this.drop(item, 'closed');
  }

  private drop(item: T, reason: DropReason): void {
    this.droppedCount++;
    this.onDrop(item, reason);
    this.onChange(this.stats);
  }

  private pump(): void {
    while (this.active < this.concurrency && this.waiting.length > 0) {
      const item = this.waiting.shift()!;
      this.active++;
      this.running.add(item);
      this.onChange(this.stats);
      // `work` reports its own failures (done(err)); a throw must not stop the queue
      void Promise.resolve()
        .then(() => this.work(item))
        .catch(() => undefined)
        .finally(() => {
          this.running.delete(item);
          this.active--;
          this.processedCount++;
          this.onChange(this.stats);
          this.pump();
        });
    }
  }
}
