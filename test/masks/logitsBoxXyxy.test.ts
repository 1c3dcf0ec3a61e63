import { describe, expect, it } from 'vitest';
import { SamTransform } from '../../core/geometry/SamTransform';
import { logitsBoxXyxy, logitsToMask } from '../../core/masks/lowResToMask';
import { maskToBoxXywh } from '../../core/masks/maskToBoxXywh';

/** The box of the whole upscaled mask, the slow way. */
function fullBox(low: Float32Array, t: SamTransform, threshold: number): number[] {
  const m = logitsToMask(low, t, threshold);
  if (!m.data.some((v) => v !== 0)) return [0, 0, 0, 0];
  const [x, y, w, h] = maskToBoxXywh(m);
  return [x, y, x + w, y + h];
}

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('logitsBoxXyxy', () => {
  it('equals the box of the upscaled, thresholded mask (blobs, specks, edges, padding, empty)', () => {
    const sizes: Array<[number, number]> = [
      [640, 427],
      [512, 512],
      [300, 1000],
      [1920, 1080],
      [37, 23],
      [1024, 768],
    ];
    const r = rng(7);
    let cases = 0;
    let specks = 0;
    for (const [w, h] of sizes) {
      const t = new SamTransform(w, h);
      for (let k = 0; k < 24; k++) {
        const low = new Float32Array(256 * 256).fill(-5 - 10 * r()); // float32[256*256]
        const kind = k % 4;
        const blobs = kind === 3 ? 0 : 1 + Math.floor(r() * 3);
        for (let b = 0; b < blobs; b++) {
          const cx = r() * 256;
          const cy = r() * 256;
          // kind 1: one-pixel specks just above the threshold (they may vanish when upscaled)
          const rad = kind === 1 ? 0.6 : 1 + r() * 40;
          const peak = kind === 1 ? 0.05 + r() * 0.5 : 2 + r() * 10;
          for (let y = Math.max(0, Math.floor(cy - rad - 2)); y < Math.min(256, cy + rad + 2); y++) {
            for (let x = Math.max(0, Math.floor(cx - rad - 2)); x < Math.min(256, cx + rad + 2); x++) {
              const d = Math.hypot(x - cx, y - cy);
              if (d <= rad) low[y * 256 + x] = peak * (1 - d / (rad + 1)) + 1e-3;
            }
          }
        }
        for (const threshold of [0, 1, -1]) {
          const want = fullBox(low, t, threshold);
          expect(logitsBoxXyxy(low, t, threshold), `${w}x${h} case ${k} threshold ${threshold}`).toEqual(want);
          if (kind === 1 && want.every((v) => v === 0)) specks++;
          cases++;
        }
      }
    }
    expect(cases).toBe(sizes.length * 24 * 3);
    expect(specks).toBeGreaterThan(0); // some low-res pixels above the threshold vanish when upscaled
  });

  it('refuses logits of the wrong size', () => {
    expect(() => logitsBoxXyxy(new Float32Array(10), new SamTransform(10, 10))).toThrow(/256x256/);
  });
});
