/**
 * Benchmark: samflow on NATS JetStream (issue 14). Starts a nats-server on a free loopback port and
 * real `samflow worker` processes (1 thread each), then measures
 * - jobs/s with 1 worker vs 2 workers on the same instances jobs (phases 1, 2, 1 again; the ratio
 *   uses the mean of the two 1-worker phases, so load drifting on a shared machine shows up);
 * - the per-job overhead of the cluster path vs the local call: the same instances job run here
 *   (runSamJob, 1 thread) and on one worker, alternated, one at a time.
 * Skipped (ok: false with the reason) when nats-server is not installed.
 */
import { clusterNamesForStream, connectSamCluster, runSamJob, type SamJob, loadSamModel } from '../core';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { NatsServer, natsServerBinary } from './support/natsServer';
import { SamflowWorker } from './support/samflowWorker';
import { median, round, type BenchContext } from './BenchContext';

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  if (!natsServerBinary) throw new Error('nats-server is not installed (Debian package nats-server)');
  const jobsPerPhase = ctx.quick ? 6 : 16;
  const overheadPairs = ctx.quick ? 3 : 6;
  const image = readFileSync(path.join(ctx.repoRoot, 'flows', 'assets', 'sample.png'));
  const job = (id: string): SamJob => ({
    id,
    task: 'instances',
    detections: [
      [40, 40, 160, 170],
      [180, 60, 300, 200],
    ],
    image,
  });
  const server = await NatsServer.start();
  const stream = `BENCH_${process.pid}`;
  const workers: SamflowWorker[] = [];
  const model = await loadSamModel({ threads: 1 });
  let cluster: Awaited<ReturnType<typeof connectSamCluster>> | undefined;
  try {
    workers.push(await SamflowWorker.start('w1', server.url, stream));
    cluster = await connectSamCluster({ servers: server.url, names: clusterNamesForStream(stream), maxInFlight: 64 });
    const c = cluster;
    let seq = 0;
    const phase = async (label: string): Promise<number> => {
      const t0 = performance.now();
      const results = await Promise.all(Array.from({ length: jobsPerPhase }, () => c.submit(job(`j${seq++}`))));
      const seconds = (performance.now() - t0) / 1000;
      if (results.some((r) => !r.ok)) throw new Error(`${label}: a job failed`);
      ctx.log(`${label}: ${jobsPerPhase} jobs in ${seconds.toFixed(1)} s`);
      return jobsPerPhase / seconds;
    };
    await c.submit(job('warmup'));
    // per-job overhead: the same job locally and on the cluster, alternated, one at a time
    const local: number[] = [];
    const remote: number[] = [];
    await runSamJob(model, job('local-warmup'));
    for (let i = 0; i < overheadPairs; i++) {
      let t = performance.now();
      const r = await c.submit(job(`o${i}`));
      if (!r.ok) throw new Error('overhead job failed');
      remote.push(performance.now() - t);
      t = performance.now();
      await runSamJob(model, job(`l${i}`));
      local.push(performance.now() - t);
    }
    const one1 = await phase('1 worker');
    workers.push(await SamflowWorker.start('w2', server.url, stream));
    await c.submit(job('warmup2'));
    const two = await phase('2 workers');
    await workers[1].kill('SIGTERM');
    workers.pop();
    const one2 = await phase('1 worker again');
    const oneMean = (one1 + one2) / 2;
    const localMs = median(local);
    const clusterMs = median(remote);
    return {
      jobsPerPhase,
      job: 'instances, 2 boxes, flows/assets/sample.png 320x240 (encoder + 2 decoder runs)',
      jobsPerSecond1Worker: round(oneMean, 3),
      jobsPerSecond1WorkerPhases: [round(one1, 3), round(one2, 3)],
      jobsPerSecond2Workers: round(two, 3),
      speedup2Workers: round(two / oneMean, 2),
      localJobMsMedian: round(localMs, 0),
      clusterJobMsMedian: round(clusterMs, 0),
      clusterOverheadMs: round(clusterMs - localMs, 0),
      clusterOverheadRatio: round((clusterMs - localMs) / localMs, 3),
      summary: `2 workers ${round(two / oneMean, 2)}x the jobs/s of 1; cluster overhead ${round(clusterMs - localMs, 0)} ms on a ${round(localMs, 0)} ms instances job`,
    };
  } finally {
    await cluster?.close().catch(() => undefined);
    for (const w of workers) await w.kill('SIGKILL');
    await model.release();
    await server.dispose();
  }
}
