/**
 * How a node treats messages that arrive while it is busy (a camera sends 25 frames/s, the encoder
 * takes ~1 s each):
 * - `latest`: keep only the newest waiting message; older waiting ones are dropped (default),
 * - `queue`: keep up to `queueSize` waiting messages; when full, the oldest waiting one is dropped,
 * - `all`: keep every message (unbounded; only for finite inputs such as a folder of files).
 */
export type DropPolicy = 'latest' | 'queue' | 'all';

/** Why an item left the queue without being worked on: pushed out by a newer one, or the queue closed. */
export type DropReason = 'dropped' | 'closed';

export interface DropQueueStats {
  readonly waiting: number;
  readonly dropped: number;
  readonly processed: number;
  readonly busy: boolean;
}

/**
 * Runs `work` one item at a time under a drop policy. Dropped items are handed to `onDrop` with the reason (so a
 * node can end them with `done(err)`, see finishDropped), and every change is reported through `onChange` for the status.
 */
export class DropQueue<T> {
  private readonly waiting: T[] = [];
  private busy = false;
  private running: T | undefined;
  private closed = false;
  private droppedCount = 0;
  private processedCount = 0;

  constructor(
    private readonly policy: DropPolicy,
    private readonly queueSize: number,
    private readonly work: (item: T) => Promise<void>,
    private readonly onDrop: (item: T, reason: DropReason) => void,
    private readonly onChange: (stats: DropQueueStats) => void = () => undefined,
  ) {
    if (policy === 'queue' && !(Number.isInteger(queueSize) && queueSize >= 1)) {
      throw new RangeError(`DropQueue: queueSize must be an integer >= 1 for the 'queue' policy, got ${queueSize}`);
    }
  }

  get stats(): DropQueueStats {
    return { waiting: this.waiting.length, dropped: this.droppedCount, processed: this.processedCount, busy: this.busy };
  }

  push(item: T): void {
    if (this.closed) {
      this.drop(item, 'closed');
      return;
    }
    this.waiting.push(item);
    const limit = this.policy === 'latest' ? 1 : this.policy === 'queue' ? this.queueSize : Infinity;
    while (this.waiting.length > limit) {
      const old = this.waiting.shift();
      if (old !== undefined) this.drop(old, 'dropped');
    }
    this.onChange(this.stats);
    void this.pump();
  }

  /** The item being worked on, if any. */
  get current(): T | undefined {
    return this.running;
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

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let item = this.waiting.shift(); item !== undefined; item = this.waiting.shift()) {
        this.onChange(this.stats);
        try {
          this.running = item;
          await this.work(item);
        } catch {
          // `work` reports its own failures (done(err)); a throw must not stop the queue
        }
        this.running = undefined;
        this.processedCount++;
      }
    } finally {
      this.busy = false;
      this.onChange(this.stats);
    }
  }
}
