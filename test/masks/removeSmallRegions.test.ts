import { describe, expect, it } from 'vitest';
import { labelComponents, removeSmallRegions } from '../../core/masks';
import { maskFromRows, rowsOf } from './helpers';

describe('labelComponents (8-connectivity)', () => {
  it('joins diagonal neighbours and numbers components in raster order', () => {
    const m = maskFromRows([
      '1000011', //
      '0100000',
      '0010010',
      '0000111',
    ]);
    const { labels, count, sizes } = labelComponents(m.data, m.width, m.height);
    expect(count).toBe(3);
    // component 1: the diagonal at top-left (3 px); 2: top-right pair; 3: the bottom-right blob (4 px)
    expect(Array.from(sizes)).toEqual([28 - 9, 3, 2, 4]);
    expect(labels[0]).toBe(1);
    expect(labels[5]).toBe(2);
    expect(labels[3 * 7 + 6]).toBe(3);
  });

  it('merges a U shape whose arms are labelled separately first', () => {
    const m = maskFromRows([
      '1001', //
      '1001',
      '1111',
    ]);
    const r = labelComponents(m.data, m.width, m.height);
    expect(r.count).toBe(1);
    expect(r.sizes[1]).toBe(8);
  });

  it('labels background when asked', () => {
    const m = maskFromRows([
      '111', //
      '101',
      '111',
    ]);
    const r = labelComponents(m.data, m.width, m.height, false);
    expect(r.count).toBe(1);
    expect(r.sizes[1]).toBe(1);
  });
});

describe("removeSmallRegions (SAM's remove_small_regions)", () => {
  const ring = maskFromRows([
    '00000000', //
    '01111110',
    '01001110',
    '01111110',
    '00000000',
    '00000001',
  ]);

  it("'holes' fills background components below the threshold", () => {
    const { mask, changed } = removeSmallRegions(ring, 3, 'holes');
    expect(changed).toBe(true);
    expect(rowsOf(mask)).toEqual([
      '00000000', //
      '01111110',
      '01111110',
      '01111110',
      '00000000',
      '00000001',
    ]);
  });

  it("'holes' leaves the mask unchanged when every hole is at least the threshold", () => {
    const r = removeSmallRegions(ring, 2, 'holes');
    expect(r.changed).toBe(false);
    expect(r.mask).toBe(ring);
  });

  it("'islands' removes foreground components below the threshold", () => {
    const { mask, changed } = removeSmallRegions(ring, 2, 'islands');
    expect(changed).toBe(true);
    expect(mask.data[5 * 8 + 7]).toBe(0);
    expect(rowsOf(mask).slice(0, 4)).toEqual(rowsOf(ring).slice(0, 4));
  });

  it("'islands' keeps the largest component when all are small", () => {
    const m = maskFromRows([
      '1100001', //
      '1100000',
      '0000011',
    ]);
    const { mask, changed } = removeSmallRegions(m, 100, 'islands');
    expect(changed).toBe(true);
    expect(rowsOf(mask)).toEqual(['1100000', '1100000', '0000000']);
  });

  it('treats diagonal contact as connected (8-connectivity)', () => {
    const m = maskFromRows([
      '100', //
      '010',
      '001',
    ]);
    expect(removeSmallRegions(m, 3, 'islands').changed).toBe(false);
    expect(removeSmallRegions(m, 4, 'islands').mask.data).toEqual(m.data); // one component: kept as largest
  });

  it('refuses a bad mode or threshold', () => {
    expect(() => removeSmallRegions(ring, -1, 'holes')).toThrow(/areaThresh/);
    expect(() => removeSmallRegions(ring, 1, 'blobs' as 'holes')).toThrow(/mode/);
  });
});

/** Independent reference: 8-connected flood fill with an explicit queue, labels in raster order. */
function floodLabels(data: Uint8Array, w: number, h: number, want: number): { labels: Int32Array; sizes: number[] } {
  const labels = new Int32Array(w * h);
  const sizes = [0];
  const queue: number[] = [];
  for (let start = 0; start < w * h; start++) {
    if (labels[start] !== 0 || (data[start] ? 1 : 0) !== want) continue;
    const l = sizes.length;
    sizes.push(0);
    labels[start] = l;
    queue.push(start);
    while (queue.length) {
      const i = queue.pop() as number;
      sizes[l]++;
      const x = i % w;
      const y = (i - x) / w;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const j = yy * w + xx;
          if (labels[j] === 0 && (data[j] ? 1 : 0) === want) {
            labels[j] = l;
            queue.push(j);
          }
        }
    }
  }
  return { labels, sizes };
}

function randomMask(w: number, h: number, seed: number, p: number): Uint8Array {
  let s = seed >>> 0;
  const data = new Uint8Array(w * h);
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 32 < p ? 1 : 0;
  }
  return data;
}

describe('labelComponents and removeSmallRegions against a flood-fill reference', () => {
  it('give the same components and the same cleaned masks on random masks', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const w = 23 + seed * 3;
      const h = 17 + seed;
      const data = randomMask(w, h, seed, 0.35 + (seed % 4) * 0.1);
      for (const fg of [true, false]) {
        const ours = labelComponents(data, w, h, fg);
        const ref = floodLabels(data, w, h, fg ? 1 : 0);
        expect(ours.count).toBe(ref.sizes.length - 1);
        expect(Array.from(ours.labels)).toEqual(Array.from(ref.labels)); // same numbering (raster order)
        expect(Array.from(ours.sizes).slice(1)).toEqual(ref.sizes.slice(1));
      }
      for (const thresh of [1, 3, 8, 1000]) {
        // SAM's algorithm written out on the reference labels.
        const holes = floodLabels(data, w, h, 0);
        const expHoles = Array.from(data, (v, i) => (v || holes.sizes[holes.labels[i]] < thresh ? 1 : 0));
        const got = removeSmallRegions({ width: w, height: h, data }, thresh, 'holes');
        expect(Array.from(got.mask.data)).toEqual(expHoles);
        const isl = floodLabels(data, w, h, 1);
        const big = isl.sizes.map((s, k) => k > 0 && s >= thresh);
        if (!big.some(Boolean)) big[isl.sizes.indexOf(Math.max(...isl.sizes.slice(1)), 1)] = true;
        const expIslands = Array.from(data, (v, i) => (v && big[isl.labels[i]] ? 1 : 0));
        expect(Array.from(removeSmallRegions({ width: w, height: h, data }, thresh, 'islands').mask.data)).toEqual(expIslands);
      }
    }
  });
});
