import { describe, expect, it } from 'vitest';
import { euclideanDistanceTransform, squaredDistanceTransform } from '../../core/eval/distanceTransform';

/** Brute force: squared distance from each non-zero pixel to the nearest zero pixel (optionally the pad ring). */
function bruteForce(mask: Uint8Array, w: number, h: number, pad: boolean): Float64Array {
  const out = new Float64Array(w * h);
  const zeros: Array<[number, number]> = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (!mask[y * w + x]) zeros.push([x, y]);
  if (pad) {
    for (let x = -1; x <= w; x++) zeros.push([x, -1], [x, h]);
    for (let y = 0; y < h; y++) zeros.push([-1, y], [w, y]);
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      let best = Infinity;
      for (const [zx, zy] of zeros) best = Math.min(best, (x - zx) ** 2 + (y - zy) ** 2);
      out[y * w + x] = best;
    }
  }
  return out;
}

/** Deterministic PRNG (mulberry32) so a failure is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('squaredDistanceTransform', () => {
  it('equals a brute-force EDT exactly on random masks of random sizes and densities', () => {
    const rand = rng(7);
    for (let trial = 0; trial < 200; trial++) {
      const w = 1 + Math.floor(rand() * 23);
      const h = 1 + Math.floor(rand() * 23);
      const density = rand();
      const mask = new Uint8Array(w * h).map(() => (rand() < density ? 1 : 0));
      for (const pad of [true, false]) {
        const got = squaredDistanceTransform(mask, w, h, { borderIsBackground: pad });
        const want = bruteForce(mask, w, h, pad);
        expect(Array.from(got), `trial ${trial} ${w}x${h} pad=${pad}`).toEqual(Array.from(want));
      }
    }
  });

  it('is Infinity everywhere for an all-object mask without border padding, finite with it', () => {
    const mask = new Uint8Array(12).fill(1);
    expect(Array.from(squaredDistanceTransform(mask, 4, 3, { borderIsBackground: false }))).toEqual(new Array(12).fill(Infinity));
    // 4x3 padded: the middle row is 2 from top/bottom pad, the corners 1
    expect(Array.from(squaredDistanceTransform(mask, 4, 3))).toEqual([1, 1, 1, 1, 1, 4, 4, 1, 1, 1, 1, 1]);
  });

  it('gives the Euclidean (not city-block) distance: a diagonal neighbour is sqrt(2) away', () => {
    // 3x3 object with one background pixel at the top-left corner, no padding
    const mask = Uint8Array.from([0, 1, 1, 1, 1, 1, 1, 1, 1]);
    const d = euclideanDistanceTransform(mask, 3, 3, { borderIsBackground: false });
    expect(d[4]).toBeCloseTo(Math.SQRT2, 12);
    expect(d[8]).toBeCloseTo(Math.sqrt(8), 12);
    expect(d[0]).toBe(0);
  });

  it('refuses a mask whose length does not match the size, naming the sizes', () => {
    expect(() => squaredDistanceTransform(new Uint8Array(5), 2, 2)).toThrow(/5 values but 2x2 needs 4/);
  });
});
