import { Observable, type OperatorFunction } from 'rxjs';
import { reportSkipped, type ErrorPolicyOptions } from '../stream/SkippedItem';
import { defaultIdOf } from '../stream/defaultIdOf';

/**
 * Shared body of the synchronous per-emission operators (filters, NMS, records): applies `fn` to
 * each value; a throw errors the stream (`onError: 'throw'`) or is reported and the value skipped.
 */
export function mapSync<T, R>(stage: string, fn: (value: T) => R, options: ErrorPolicyOptions = {}): OperatorFunction<T, R> {
  const onError = options.onError ?? 'throw';
  return (source) =>
    new Observable<R>((subscriber) =>
      source.subscribe({
        next: (value) => {
          let out: R;
          try {
            out = fn(value);
          } catch (err) {
            if (onError === 'throw') {
              subscriber.error(err);
              return;
            }
            const first = Array.isArray(value) ? (value[0] as unknown) : value;
            reportSkipped(options.errors, stage, defaultIdOf(first), err);
            return;
          }
          subscriber.next(out);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}
