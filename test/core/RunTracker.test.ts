import { describe, expect, it } from 'vitest';
import { RunTracker } from '../../core/model/RunTracker';

const released = (): Error => new Error('released');

describe('RunTracker (in-flight runs and one close, shared by the SAM models)', () => {
  it('close waits for runs in flight, finalizes once, and refuses later runs', async () => {
    const t = new RunTracker(released);
    let finish!: (v: number) => void;
    const run = t.track(() => new Promise<number>((r) => (finish = r)));
    let finalized = 0;
    const closed = t.close(async () => {
      finalized++;
    });
    expect(t.closed).toBe(true);
    expect(t.close(async () => void finalized++)).toBe(closed);
    await Promise.resolve();
    expect(finalized).toBe(0);
    finish(7);
    expect(await run).toBe(7);
    await closed;
    expect(finalized).toBe(1);
    await expect(t.track(() => Promise.resolve(1))).rejects.toThrow('released');
  });

  it('a hold taken before close lets its run start after close, and close waits for that run', async () => {
    const t = new RunTracker(released);
    const free = t.retain();
    const order: string[] = [];
    const closed = t.close(async () => {
      order.push('finalize');
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual([]);
    const run = t.track(async () => {
      order.push('run');
      return 1;
    });
    free();
    free(); // a second call does nothing
    expect(await run).toBe(1);
    await closed;
    expect(order).toEqual(['run', 'finalize']);
    await expect(t.track(() => Promise.resolve(1))).rejects.toThrow('released');
  });
});
