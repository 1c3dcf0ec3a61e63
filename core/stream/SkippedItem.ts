import type { Observer } from 'rxjs';

/**
 * What a stage reports when it skips one item instead of failing the whole stream
 * (`onError: 'skip'`): which stage, which frame, and why.
 */
export interface SkippedItem {
  /** Name of the operator or source that skipped the item, e.g. 'encodeImage'. */
  readonly stage: string;
  /** The frame id (or file path) of the skipped item, when known. */
  readonly itemId?: string;
  /** `${stage}: skipped frame '<id>': <reason>` — ready to log. */
  readonly message: string;
  readonly error: unknown;
}

/** Where skipped items go: a callback or any observer (for example a Subject). */
export type SkippedSink = ((skipped: SkippedItem) => void) | Partial<Observer<SkippedItem>>;

/**
 * Per-operator error policy. `'throw'` (the default for every operator, as rxjs users expect) errors
 * the stream; `'skip'` drops the failing item, reports it to `errors` and keeps the stream alive —
 * the choice for long-lived camera streams where one bad frame must not stop the pipeline.
 */
export interface ErrorPolicyOptions {
  readonly onError?: 'throw' | 'skip';
  readonly errors?: SkippedSink;
}

/** Builds a SkippedItem and hands it to `sink` (if any). Never throws. */
export function reportSkipped(sink: SkippedSink | undefined, stage: string, itemId: string | undefined, error: unknown): SkippedItem {
  const reason = error instanceof Error ? error.message : String(error);
  const skipped: SkippedItem = {
    stage,
    itemId,
    error,
    message: `${stage}: skipped frame '${itemId ?? '?'}': ${reason}`,
  };
  if (sink) {
    try {
      if (typeof sink === 'function') sink(skipped);
      else sink.next?.(skipped);
    } catch {
      // a failing error sink must not take the stream down
    }
  }
  return skipped;
}
