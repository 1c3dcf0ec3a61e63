/**
 * Event-loop delay of this process while some work runs (perf_hooks.monitorEventLoopDelay, 10 ms
 * resolution, reported beyond that interval): how long a timer, a socket or an HTTP request would have waited. A helper module
 * beside the benchmarks (no `run`).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Event-loop delay in ms. */
export interface EventLoopDelay {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Number of delay samples the histogram took (about one per 10 ms of a live loop). */
  readonly samples: number;
}

/** The fields of a perf_hooks histogram that a summary needs (nanoseconds). */
export interface DelayHistogram {
  percentile(p: number): number;
  readonly max: number;
  readonly count: number;
}

/** The sampling timer's interval (ms): perf_hooks records the time between its ticks, so an idle loop reads ~10 ms. */
export const DELAY_RESOLUTION_MS = 10;

/**
 * A histogram's p50/p99/max in ms of delay beyond the sampling interval (the histogram counts
 * nanoseconds between timer ticks, so an idle loop reads DELAY_RESOLUTION_MS; that floor is
 * subtracted); zeros when it has no sample.
 */
export function summarizeDelay(h: DelayHistogram): EventLoopDelay {
  if (h.count === 0) return { p50: 0, p99: 0, max: 0, samples: 0 };
  const ms = (ns: number): number => Math.max(0, Math.round((ns - DELAY_RESOLUTION_MS * 1e6) / 1e4) / 100);
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), samples: h.count };
}

/** Runs `work` and reports its result with this process's event-loop delay meanwhile. */
export async function measureEventLoopDelay<T>(work: () => Promise<T>): Promise<{ result: T; delay: EventLoopDelay; seconds: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const t0 = performance.now();
  try {
    const result = await work();
    const seconds = (performance.now() - t0) / 1000;
    h.disable();
    return { result, delay: summarizeDelay(h), seconds };
  } finally {
    h.disable();
  }
}
