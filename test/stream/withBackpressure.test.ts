import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { map, of, throwError, timer, type Observable } from 'rxjs';
import { withBackpressure } from '../../core/stream/withBackpressure';
import type { StageStats } from '../../core/stream/StageStats';
import type { SkippedItem } from '../../core/stream/SkippedItem';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** Work that takes 3 frames of virtual time and upper-cases its item. */
const slow = (x: string): Observable<string> => timer(3).pipe(map(() => x.toUpperCase()));

describe('withBackpressure', () => {
  it("'all' processes every item in order, one at a time", () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('abc|');
      // a starts 0 → A at 3; b starts 3 → B at 6; c → C at 9, then complete
      expectObservable(src.pipe(withBackpressure(slow, { policy: 'all' }))).toBe('---A--B--(C|)');
    });
  });

  it("'latest' keeps only the newest waiting item", () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('abcd------e|');
      // a runs 0–3; b, c, d arrive while busy → only d waits; d runs 3–6; e runs 10–13
      expectObservable(src.pipe(withBackpressure(slow, { policy: 'latest' }))).toBe('---A--D------(E|)');
    });
  });

  it('{queue: 2} drops the oldest waiting item when full', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('abcd|');
      // a runs; b,c wait; d arrives → b (oldest waiting) dropped → c, d
      expectObservable(src.pipe(withBackpressure(slow, { policy: { queue: 2 } }))).toBe('---A--C--(D|)');
    });
  });

  it('reports in/drop/out stats with queue depth and latency', () => {
    const stats: StageStats[] = [];
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('abc|');
      expectObservable(src.pipe(withBackpressure(slow, { policy: 'latest', stats: (s) => stats.push(s) }))).toBe('---A--(C|)');
    });
    const drops = stats.filter((s) => s.event === 'drop');
    expect(drops.map((s) => s.itemId)).toEqual(['b']);
    const outs = stats.filter((s) => s.event === 'out');
    expect(outs.map((s) => [s.itemId, s.latencyMs, s.workMs])).toEqual([
      ['a', 3, 3],
      ['c', 4, 3], // c arrived at 2, started at 3, done at 6
    ]);
    const last = stats[stats.length - 1];
    expect([last.received, last.processed, last.dropped, last.errors]).toEqual([3, 2, 1, 0]);
    expect(Math.max(...stats.map((s) => s.queueDepth))).toBe(1);
  });

  it("errors the output on a failing item by default ('throw')", () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('ab|');
      const work = (x: string): Observable<string> => (x === 'a' ? throwError(() => new Error('bad a')) : of('B'));
      expectObservable(src.pipe(withBackpressure(work))).toBe('#', undefined, new Error('bad a'));
    });
  });

  it("'skip' reports the failing item by id and keeps going", () => {
    const skipped: SkippedItem[] = [];
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('abc|');
      const work = (x: string): Observable<string> => (x === 'b' ? throwError(() => new Error('bad bytes')) : slow(x));
      expectObservable(src.pipe(withBackpressure(work, { onError: 'skip', errors: (s) => skipped.push(s) }))).toBe('---A--(C|)');
    });
    expect(skipped.map((s) => s.message)).toEqual(["withBackpressure: skipped frame 'b': bad bytes"]);
  });

  it('unsubscribing stops the running work and starts nothing new', () => {
    let started = 0;
    const work = (x: string): Observable<string> => {
      started++;
      return slow(x);
    };
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('abcdef|');
      const inner = src.pipe(withBackpressure(work, { policy: 'all' }));
      expectObservable(inner, '----!').toBe('---A');
      expectSubscriptions(src.subscriptions).toBe('^---!');
    });
    expect(started).toBe(2); // a (0–3), b started at 3, cancelled at 4
  });

  it('rejects a bad policy with a message that says what is allowed', () => {
    expect(() => withBackpressure(slow, { policy: { queue: -1 } })).toThrow(/'latest', 'all' or \{ queue: n \}/);
  });

  it("yieldBeforeNext lets items that arrive right after a blocking run in first, so 'latest' takes the newest", async () => {
    const { Subject } = await import('rxjs');
    const src = new Subject<string>();
    const started: string[] = [];
    const resolvers: (() => void)[] = [];
    const work = (x: string): Promise<string> => {
      started.push(x);
      return new Promise<string>((r) => resolvers.push(() => r(x)));
    };
    const out: string[] = [];
    let done = false;
    src.pipe(withBackpressure(work, { policy: 'latest', yieldBeforeNext: true })).subscribe({ next: (v) => out.push(v), complete: () => (done = true) });
    src.next('a');
    src.next('b'); // waits while a runs
    resolvers.shift()!();
    // frames that were queued behind a blocked main thread arrive just after the run finishes
    await Promise.resolve();
    src.next('c');
    src.next('d');
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toEqual(['a', 'd']);
    resolvers.shift()!();
    src.complete();
    await new Promise((r) => setTimeout(r, 20));
    expect(out).toEqual(['a', 'd']);
    expect(done).toBe(true);
  });
});
