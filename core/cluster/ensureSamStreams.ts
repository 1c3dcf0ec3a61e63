import { AckPolicy, DiscardPolicy, JetStreamApiError, JetStreamApiCodes, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { SamClusterDelivery, SamClusterNames } from './SamClusterNames';

function isNotFound(e: unknown): boolean {
  return e instanceof JetStreamApiError && (e.code === JetStreamApiCodes.StreamNotFound || e.code === JetStreamApiCodes.ConsumerNotFound);
}

/**
 * Creates, when missing, the jobs work-queue stream (file storage: jobs survive a broker restart;
 * a job is removed once acked), its durable pull consumer (explicit ack, AckWait, MaxDeliver), and
 * the results stream (limits retention, `resultMaxAgeMs`, file storage). Existing ones are left as
 * they are, so the first creator's delivery settings hold; clients and workers both call this.
 */
export async function ensureSamStreams(jsm: JetStreamManager, names: SamClusterNames, delivery: SamClusterDelivery): Promise<void> {
  try {
    await jsm.streams.info(names.stream);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await jsm.streams.add({
      name: names.stream,
      subjects: [`${names.jobSubject}.>`],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      duplicate_window: nanos(Math.min(delivery.resultMaxAgeMs, 3600_000)),
    });
  }
  try {
    await jsm.consumers.info(names.stream, names.consumer);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await jsm.consumers.add(names.stream, {
      durable_name: names.consumer,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(delivery.ackWaitMs),
      max_deliver: delivery.maxDeliver,
      max_ack_pending: 10_000,
    });
  }
  try {
    await jsm.streams.info(names.resultStream);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await jsm.streams.add({
      name: names.resultStream,
      subjects: [`${names.resultSubject}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(delivery.resultMaxAgeMs),
      duplicate_window: nanos(Math.min(delivery.resultMaxAgeMs, 3600_000)),
    });
  }
}
