import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { firstValueFrom, from, map, timer, toArray, type Observable } from 'rxjs';
import { withBackpressure } from '../../core/stream/withBackpressure';
import { clusterJobs } from '../../core/operators/clusterJobs';
import type { SamCluster } from '../../core/cluster/connectSamCluster';
import type { SamJob, SamJobResult } from '../../core/cluster/SamJob';
import type { StageStats } from '../../core/stream/StageStats';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}
const slow = (x: string): Observable<string> => timer(3).pipe(map(() => x.toUpperCase()));

describe("withBackpressure with concurrency (the cluster operator's engine)", () => {
  it("'all' with 2 slots: two at a time, results as they finish", () => {
    scheduler().run(({ cold, expectObservable }) => {
      // a 0–3, b 1–4, c waits → 3–6, d waits → 4–7
      expectObservable(cold('abcd|').pipe(withBackpressure(slow, { policy: 'all', concurrency: 2 }))).toBe('---AB-C(D|)');
    });
  });

  it("'latest' with 2 slots: of the jobs waiting while both are busy only the newest is kept", () => {
    const stats: StageStats[] = [];
    scheduler().run(({ cold, expectObservable }) => {
      // a, b run; c waits; d arrives at 3 before a finishes → c dropped; d 3–6; e 4–7
      expectObservable(cold('abcde|').pipe(withBackpressure(slow, { policy: 'latest', concurrency: 2, stats: (s) => stats.push(s) }))).toBe('---AB-D(E|)');
    });
    expect(stats.filter((s) => s.event === 'drop').map((s) => s.itemId)).toEqual(['c']);
    expect(Math.max(...stats.map((s) => s.inFlight))).toBe(2);
  });

  it('{queue: 1} with 3 slots drops the oldest waiting job', () => {
    scheduler().run(({ cold, expectObservable }) => {
      // a, b, c run; d and e arrive together at 3 while all 3 slots are busy → d dropped; e 3–6
      expectObservable(cold('abc(de)|').pipe(withBackpressure(slow, { policy: { queue: 1 }, concurrency: 3 }))).toBe('---ABCE|');
    });
  });

  it('rejects a concurrency that is not a whole number >= 1', () => {
    expect(() => withBackpressure(slow, { concurrency: 0 })).toThrow(/concurrency/);
    expect(() => withBackpressure(slow, { concurrency: 1.5 })).toThrow(/concurrency/);
  });
});

/** A cluster stand-in: answers each job after its `delay`, a job named bad-* with an error result. */
function fakeCluster(): SamCluster & { maxInFlight: number } {
  let inFlight = 0;
  const fake = {
    clientId: 'fake',
    maxInFlight: 0,
    status: { inFlight: 0, waiting: 0, workers: 1, done: 0, failed: 0 },
    workers: () => [],
    close: async () => undefined,
    async submit(job: SamJob): Promise<SamJobResult> {
      inFlight++;
      fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      const base = { id: job.id, task: job.task, worker: 'w', attempt: 1, timings: {} };
      return job.id.startsWith('bad')
        ? { ...base, ok: false, error: { code: 'BAD_IMAGE', message: `${job.id}: not an image` } }
        : { ...base, ok: true, width: 1, height: 1, model: 'm', records: [] };
    },
  };
  return fake;
}

describe('operators.clusterJobs', () => {
  it('keeps up to `concurrency` jobs in flight and passes error results through as results', async () => {
    const cluster = fakeCluster();
    const jobs: SamJob[] = ['a', 'b', 'bad-c', 'd', 'e', 'f'].map((id) => ({ id, task: 'segment', prompts: [{ box: [0, 0, 1, 1] }], image: new Uint8Array([1]) }));
    const results = await firstValueFrom(from(jobs).pipe(clusterJobs(cluster, { concurrency: 3 }), toArray()));
    expect(results.map((r) => r.id).sort()).toEqual(['a', 'b', 'bad-c', 'd', 'e', 'f']);
    expect(results.find((r) => r.id === 'bad-c')!.ok).toBe(false);
    expect(cluster.maxInFlight).toBe(3);
  });
});
