import { describe, expect, it } from 'vitest';
import { matchInstances } from '../../core/eval/matchInstances';
import { summarizeInstances } from '../../core/eval/summarizeInstances';
import type { BinaryMask } from '../../core/types';

/** A 4x4 mask with the listed [x, y] pixels inside. */
function mask(...pixels: Array<[number, number]>): BinaryMask {
  const data = new Uint8Array(16);
  for (const [x, y] of pixels) data[y * 4 + x] = 1;
  return { width: 4, height: 4, data };
}

// GT a: the top-left 2x2 block; GT b: the bottom-right 2x2 block.
const a = mask([0, 0], [1, 0], [0, 1], [1, 1]);
const b = mask([2, 2], [3, 2], [2, 3], [3, 3]);

describe('matchInstances (hand-made masks)', () => {
  it('takes each object best prediction, counts the others as extras', () => {
    const exact = a; // IoU 1 with a
    const half = mask([2, 2], [3, 2]); // 2 of b's 4 pixels: IoU 2/4 = 0.5 with b
    const stray = mask([0, 3]); // touches nothing
    const m = matchInstances([stray, half, exact], [a, b]);
    expect(m.ious).toEqual([1, 0.5]);
    expect(m.matchedPrediction).toEqual([2, 1]);
    expect(m.extraPredictions).toBe(1);
    expect(m.predictions).toBe(3);
  });

  it('gives IoU 0 and no match to an object nothing overlaps, and all predictions are extras', () => {
    const m = matchInstances([mask([3, 0]), mask([0, 3])], [a]);
    expect(m.ious).toEqual([0]);
    expect(m.matchedPrediction).toEqual([-1]);
    expect(m.extraPredictions).toBe(2);
  });

  it('lets one prediction be the best of two objects (no extra) and picks the higher IoU over a weaker one', () => {
    // covers a's (1,1) and b's (2,2): IoU 1/5 with each
    const both = mask([1, 1], [2, 2]);
    const m = matchInstances([both], [a, b]);
    expect(m.ious).toEqual([0.2, 0.2]);
    expect(m.matchedPrediction).toEqual([0, 0]);
    expect(m.extraPredictions).toBe(0);
    // a 3-pixel piece of a (IoU 3/4) beats a 1-pixel piece (IoU 1/4)
    const m2 = matchInstances([mask([0, 0]), mask([0, 0], [1, 0], [0, 1])], [a]);
    expect(m2.ious).toEqual([0.75]);
    expect(m2.matchedPrediction).toEqual([1]);
    expect(m2.extraPredictions).toBe(1);
  });

  it('no predictions: every object missed; no objects: every prediction extra', () => {
    expect(matchInstances([], [a, b])).toEqual({ ious: [0, 0], matchedPrediction: [-1, -1], extraPredictions: 0, predictions: 0 });
    expect(matchInstances([a], [])).toEqual({ ious: [], matchedPrediction: [], extraPredictions: 1, predictions: 1 });
  });

  it('refuses masks of another size than the ground truth', () => {
    expect(() => matchInstances([{ width: 2, height: 2, data: new Uint8Array(4) }], [a])).toThrow();
  });
});

describe('summarizeInstances', () => {
  it('recall at 0.5, mean IoU with misses as 0, extras summed (computed by hand)', () => {
    const m1 = matchInstances([mask([2, 2], [3, 2]), a, mask([0, 3])], [a, b]); // IoUs 1, 0.5; 1 extra
    const m2 = matchInstances([mask([3, 0])], [b]); // IoU 0; 1 extra
    const m3 = matchInstances([mask([0, 0], [1, 0]), mask([3, 3])], [a]); // IoU 2/4 = 0.5; (3,3) is an extra
    const s = summarizeInstances([m1, m2, m3]);
    expect(s.gtObjects).toBe(4);
    expect(s.perObjectIou).toEqual([1, 0.5, 0, 0.5]);
    expect(s.matched).toBe(3);
    expect(s.recall).toBe(3 / 4);
    expect(s.meanIou).toBe(2 / 4);
    expect(s.extraPredictions).toBe(3);
    expect(s.predictions).toBe(6);
    // just under the threshold does not count
    const under = summarizeInstances([matchInstances([mask([0, 0], [1, 0], [0, 1], [1, 1], [2, 0], [3, 0], [2, 1], [3, 1], [2, 2])], [a])]);
    expect(under.perObjectIou[0]).toBeCloseTo(4 / 9, 12);
    expect(under.recall).toBe(0);
    expect(summarizeInstances([], 0.5)).toMatchObject({ gtObjects: 0, recall: 0, meanIou: 0 });
  });
});
