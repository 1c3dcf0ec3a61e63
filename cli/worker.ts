/**
 * `samflow worker --nats URL [--model ID] [--stream NAME] [--concurrency N]`: a cluster worker. Pulls
 * jobs from NATS JetStream, runs them on the local model, publishes results, acks. SIGTERM/SIGINT:
 * finishes the jobs in hand, takes no new one, exits 0.
 */
import { loadCocoDetector, runSamWorker, loadSamModel } from '../core';
import { getNumber, getString, parseArgs, UsageError } from './args';
import type { CliIo } from './CliCommand';
import { CLUSTER_FLAGS, CLUSTER_USAGE, clusterDeliveryFrom, clusterNamesFrom, natsOptionsFrom } from './clusterOptions';
import { MODEL_FLAGS, MODEL_USAGE, modelOptionsFrom } from './modelOptions';

export const usage = `usage: samflow worker --nats URL [--concurrency N] [--name NAME] [--ack-wait MS] [--max-deliver N]
       ${CLUSTER_USAGE}
       ${MODEL_USAGE}
  Serves segment / everything / instances / edges / proposals jobs from the cluster's work queue.
  --concurrency  jobs at once on this model (default 1)
  --ack-wait, --max-deliver  redelivery settings, used when this worker creates the stream (30000 ms, 5)
  Secrets can come from SAMFLOW_NATS_PASS / SAMFLOW_NATS_TOKEN instead of the command line.`;

const FLAGS = {
  ...MODEL_FLAGS,
  ...CLUSTER_FLAGS,
  concurrency: { kind: 'integer', min: 1, max: 64 },
  name: { kind: 'string' },
} as const;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseArgs(argv, FLAGS);
  if (a.positionals.length !== 0) throw new UsageError(`unexpected argument "${a.positionals[0]}"`);
  const nats = natsOptionsFrom(a);
  if (!nats) throw new UsageError('--nats URL is required (the NATS server with JetStream, e.g. nats://10.0.0.5:4222)');
  const maxPixels = getNumber(a, 'max-pixels');
  const concurrency = getNumber(a, 'concurrency');
  const workerName = getString(a, 'name');
  const model = await loadSamModel(modelOptionsFrom(a));
  let worker;
  try {
    worker = await runSamWorker(model, {
      ...nats,
      names: clusterNamesFrom(a),
      delivery: clusterDeliveryFrom(a),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(workerName !== undefined ? { workerName } : {}),
      ...(maxPixels !== undefined ? { maxPixels } : {}),
      loadDetector: () => loadCocoDetector(),
      log: (line) => io.stderr(line + '\n'),
    });
  } catch (e) {
    await model.release();
    throw e;
  }
  const onSignal = (sig: string): void => {
    io.stderr(`worker: ${sig}: finishing the jobs in hand, taking no new one\n`);
    void worker.stop();
  };
  const onTerm = (): void => onSignal('SIGTERM');
  const onInt = (): void => onSignal('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  io.stderr(`worker: ready\n`);
  try {
    await worker.closed;
    io.stderr(`worker: stopped after ${worker.stats.done} job(s), ${worker.stats.failed} error result(s)\n`);
    return 0;
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    await model.release();
  }
}
