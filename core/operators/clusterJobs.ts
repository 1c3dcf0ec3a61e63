import type { OperatorFunction } from 'rxjs';
import type { SamCluster } from '../cluster/connectSamCluster';
import type { SamJob, SamJobResult } from '../cluster/SamJob';
import { withBackpressure, type BackpressureOptions } from '../stream/withBackpressure';

export interface ClusterJobsOptions extends Omit<BackpressureOptions<SamJob>, 'idOf' | 'stage' | 'concurrency' | 'yieldBeforeNext'> {
  /** Jobs in flight on the cluster at once (default 8; the client's maxInFlight bounds it too). */
  readonly concurrency?: number;
}

/**
 * Jobs → their results from a samflow cluster (many workers on NATS JetStream), with the local
 * operators' backpressure policies: up to `concurrency` jobs in flight, and while all are busy,
 * waiting jobs follow `policy` (`'all'` default, `'latest'` behind a live camera, `{ queue: n }`).
 *
 * Like a dispatcher handing parcels to a fleet of couriers: a few out at once, the rest waiting
 * in line, or only the newest kept when the line is for live frames.
 *
 * ```
 * jobs:    a-b-c-d-e--|        concurrency 2, policy 'latest'
 * output:  ----A-B---E|        c, d dropped while a and b were out
 * ```
 *
 * ## Example
 * ```ts
 * import { connectSamCluster, operators } from 'samflow';
 * const cluster = await connectSamCluster({ servers: 'nats://10.0.0.5:4222' });
 * frames$.pipe(
 *   map((jpeg, i) => ({ id: `cam1-${i}`, task: 'everything' as const, image: jpeg })),
 *   operators.clusterJobs(cluster, { policy: 'latest', concurrency: 4 }),
 * ).subscribe((r) => r.ok && console.log(r.id, r.records.length));
 * ```
 *
 * @param cluster A connected client (`connectSamCluster`); not closed by the operator.
 * @param options `concurrency`, backpressure `policy`, `stats`, `onError`, `errors`.
 * @returns An operator from SamJob to SamJobResult, in finishing order.
 *
 * Backpressure, errors and teardown: a job's own failure (bad image, bad prompt) is a result with
 * `ok: false`, not a stream error; only an unreachable cluster errors the stream (or skips the job
 * with `onError: 'skip'`). Unsubscribing discards the results of jobs in flight (the workers
 * still finish them).
 */
export function clusterJobs(cluster: SamCluster, options: ClusterJobsOptions = {}): OperatorFunction<SamJob, SamJobResult> {
  const { concurrency = 8, ...rest } = options;
  return withBackpressure((job: SamJob) => cluster.submit(job), { ...rest, concurrency, stage: 'clusterJobs', idOf: (j) => j.id });
}
