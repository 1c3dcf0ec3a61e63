import { describe, expect, it } from 'vitest';
import { DropQueue, nodePolicy } from '../../nodes/lib/DropQueue';

/** Pushes items 0..n-1 at once into a queue whose work takes one tick; returns processed and dropped ids. */
async function run(policy: 'latest' | 'queue' | 'all', n: number, queueSize = 2): Promise<{ processed: number[]; dropped: number[] }> {
  const processed: number[] = [];
  const dropped: number[] = [];
  let finish: () => void = () => undefined;
  const allDone = new Promise<void>((r) => (finish = r));
  let settled = 0;
  const settle = (): void => {
    if (++settled === n) finish();
  };
  const q = new DropQueue<number>(
    nodePolicy(policy, queueSize),
    async (i) => {
      await new Promise((r) => setTimeout(r, 5));
      processed.push(i);
      settle();
    },
    (i) => {
      dropped.push(i);
      settle();
    },
  );
  for (let i = 0; i < n; i++) q.push(i);
  await allDone;
  expect(q.stats).toMatchObject({ waiting: 0, dropped: dropped.length });
  return { processed, dropped };
}

describe("DropQueue (the nodes' explicit backpressure)", () => {
  it("'latest': the running item and the newest waiting one are processed, the rest dropped", async () => {
    expect(await run('latest', 6)).toEqual({ processed: [0, 5], dropped: [1, 2, 3, 4] });
  });
  it("'queue': keeps the newest queueSize waiting items, dropping the oldest", async () => {
    expect(await run('queue', 6, 2)).toEqual({ processed: [0, 4, 5], dropped: [1, 2, 3] });
  });
  it("'all': processes everything in order", async () => {
    expect(await run('all', 5)).toEqual({ processed: [0, 1, 2, 3, 4], dropped: [] });
  });
  it('close() drops what waits and everything pushed later', async () => {
    const dropped: number[] = [];
    const q = new DropQueue<number>(
      'all',
      () => new Promise((r) => setTimeout(r, 20)),
      (i) => dropped.push(i),
    );
    q.push(1);
    q.push(2);
    q.close();
    q.push(3);
    expect(dropped).toEqual([2, 3]);
  });
  it('a throwing work does not stop the queue', async () => {
    const seen: number[] = [];
    const q = new DropQueue<number>(
      'all',
      async (i) => {
        seen.push(i);
        if (i === 1) throw new Error('boom');
      },
      () => undefined,
    );
    q.push(1);
    q.push(2);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([1, 2]);
  });
});
