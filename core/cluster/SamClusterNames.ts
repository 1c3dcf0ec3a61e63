import { SamflowError } from '../errors';

/**
 * The JetStream names samflow uses; every one is configurable so several samflow clusters (or
 * tenants with subject permissions) can share one NATS server.
 */
export interface SamClusterNames {
  /** Work-queue stream of jobs. Default 'SAMFLOW_JOBS'. */
  readonly stream: string;
  /** Jobs are published to `<jobSubject>.<task>`; the stream holds `<jobSubject>.>`. Default 'samflow.jobs'. */
  readonly jobSubject: string;
  /** The durable pull consumer every worker shares. Default 'samflow-workers'. */
  readonly consumer: string;
  /** Limits stream of results (kept `resultMaxAgeMs`). Default 'SAMFLOW_RESULTS'. */
  readonly resultStream: string;
  /** Results are published to `<resultSubject>.<client id>`. Default 'samflow.results'. */
  readonly resultSubject: string;
  /** Object store bucket for images and results above the message size. Default 'samflow_blobs'. */
  readonly bucket: string;
  /** Workers announce themselves on this core-NATS subject every few seconds. Default 'samflow.workers'. */
  readonly heartbeatSubject: string;
}

/** Delivery settings of the jobs consumer (set when the consumer is created; later creators keep them). */
export interface SamClusterDelivery {
  /** A job not acked (and not heartbeated with working()) within this is redelivered. Default 30 000 ms. */
  readonly ackWaitMs: number;
  /** Deliveries of one job before it is given up (the last one reports an error result). Default 5. */
  readonly maxDeliver: number;
  /** How long results and blobs are kept for clients that come back. Default 24 h. */
  readonly resultMaxAgeMs: number;
}

export const DEFAULT_CLUSTER_NAMES: SamClusterNames = {
  stream: 'SAMFLOW_JOBS',
  jobSubject: 'samflow.jobs',
  consumer: 'samflow-workers',
  resultStream: 'SAMFLOW_RESULTS',
  resultSubject: 'samflow.results',
  bucket: 'samflow_blobs',
  heartbeatSubject: 'samflow.workers',
};

export const DEFAULT_CLUSTER_DELIVERY: SamClusterDelivery = { ackWaitMs: 30_000, maxDeliver: 5, resultMaxAgeMs: 24 * 3600_000 };

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Defaults filled in and each name checked (stream/consumer/bucket names, subjects without wildcards). */
export function resolveClusterNames(given: Partial<SamClusterNames> = {}): SamClusterNames {
  const n: SamClusterNames = { ...DEFAULT_CLUSTER_NAMES, ...stripUndefined(given) };
  for (const k of ['stream', 'consumer', 'resultStream', 'bucket'] as const) {
    if (!NAME.test(n[k])) throw new SamflowError('BAD_OPTION', `cluster: ${k} "${n[k]}" must be 1-64 letters, digits, _ or -`);
  }
  for (const k of ['jobSubject', 'resultSubject', 'heartbeatSubject'] as const) {
    if (!SUBJECT.test(n[k])) throw new SamflowError('BAD_OPTION', `cluster: ${k} "${n[k]}" must be dot-separated tokens of letters, digits, _ or - (no wildcards)`);
  }
  if (n.jobSubject === n.resultSubject) throw new SamflowError('BAD_OPTION', 'cluster: jobSubject and resultSubject must differ');
  return n;
}

export function resolveClusterDelivery(given: Partial<SamClusterDelivery> = {}): SamClusterDelivery {
  const d: SamClusterDelivery = { ...DEFAULT_CLUSTER_DELIVERY, ...stripUndefined(given) };
  const check = (k: keyof SamClusterDelivery, min: number): void => {
    if (!(Number.isInteger(d[k]) && d[k] >= min)) throw new SamflowError('BAD_OPTION', `cluster: ${k} must be a whole number >= ${min}, got ${String(d[k])}`);
  };
  check('ackWaitMs', 1000);
  check('maxDeliver', 1);
  check('resultMaxAgeMs', 1000);
  return d;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * All names derived from one stream name (`--stream NAME`, the Node-RED config's "stream"): the
 * consumer, subjects and bucket follow it, so two clusters on one server never mix.
 */
export function clusterNamesForStream(stream: string): SamClusterNames {
  const lower = stream.toLowerCase();
  return resolveClusterNames({
    stream,
    consumer: `${lower}-workers`,
    jobSubject: `${lower}.jobs`,
    resultStream: `${stream}_RESULTS`,
    resultSubject: `${lower}.results`,
    bucket: `${lower}_blobs`,
    heartbeatSubject: `${lower}.workers`,
  });
}
