/** Backpressure policy for a slow stage (the encoder) behind a fast source (a camera). */
export type BackpressurePolicy =
  /** When the stage frees up, take the newest waiting item and drop the older ones (live sources). */
  | 'latest'
  /** Never drop; items wait in an unbounded FIFO (files, where every item matters). */
  | 'all'
  /** Bounded FIFO of `queue` waiting items; when full, the OLDEST waiting item is dropped. */
  | { readonly queue: number };

/** One event of a stage's stats stream; every event carries the running totals. */
export interface StageStats {
  /** 'in': an item arrived; 'start': work began; 'out': a result was emitted; 'drop': a waiting item was discarded; 'error': work failed. */
  readonly event: 'in' | 'start' | 'out' | 'drop' | 'error';
  /** Id of the item the event is about (frame id). */
  readonly itemId: string;
  /** Items waiting (not yet started) after the event. */
  readonly queueDepth: number;
  /** Items being processed after the event (0 or 1 for a single-lane stage). */
  readonly inFlight: number;
  readonly received: number;
  readonly processed: number;
  readonly dropped: number;
  readonly errors: number;
  /** On 'out' and 'error': ms from the item's arrival at this stage to its result (queueing included). */
  readonly latencyMs?: number;
  /** On 'out' and 'error': ms of the work alone (without waiting). */
  readonly workMs?: number;
  /** Timestamp of the event (the scheduler's clock, ms). */
  readonly time: number;
}
