import { describe, expect, it } from 'vitest';
import { maskIou, maskToPolygons, simplifyRing, type Polygon } from '../../core/masks';
import { discMask, maskFromRows, rasterize, rectsMask } from './helpers';

/** Twice the shoelace area of a ring (y down: clockwise on screen is positive). */
function area2(ring: ReadonlyArray<readonly [number, number]>): number {
  let a = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[(i + 1) % ring.length];
    a += x1 * y2 - x2 * y1;
  }
  return a;
}

/** Rotates a ring so that its lexicographically smallest point comes first (order-independent compare). */
function canonical(ring: ReadonlyArray<readonly [number, number]>): Array<readonly [number, number]> {
  let s = 0;
  ring.forEach((p, i) => {
    if (p[1] < ring[s][1] || (p[1] === ring[s][1] && p[0] < ring[s][0])) s = i;
  });
  return [...ring.slice(s), ...ring.slice(0, s)];
}

describe('maskToPolygons', () => {
  it('a filled rectangle gives its 4 pixel-corner vertices, clockwise', () => {
    // inside pixels x = 2..5, y = 1..3 → corners (2,1) (6,1) (6,4) (2,4)
    const polys = maskToPolygons(rectsMask(8, 6, [[2, 1, 6, 4]]));
    expect(polys).toHaveLength(1);
    expect(canonical(polys[0].exterior)).toEqual([
      [2, 1],
      [6, 1],
      [6, 4],
      [2, 4],
    ]);
    expect(polys[0].holes).toEqual([]);
    expect(area2(polys[0].exterior)).toBe(2 * 4 * 3);
  });

  it('a ring gives an exterior and one counter-clockwise hole', () => {
    const ring = rectsMask(10, 10, [[1, 1, 9, 9]]);
    for (let y = 3; y < 6; y++) for (let x = 4; x < 7; x++) ring.data[y * 10 + x] = 0;
    const polys = maskToPolygons(ring);
    expect(polys).toHaveLength(1);
    expect(polys[0].holes).toHaveLength(1);
    expect(canonical(polys[0].holes[0]).slice().sort()).toEqual(
      [
        [4, 3],
        [7, 3],
        [7, 6],
        [4, 6],
      ].sort(),
    );
    expect(area2(polys[0].holes[0])).toBe(-2 * 9);
    expect(maskIou(rasterize(polys, 10, 10), ring)).toBe(1);
  });

  it('two separate blobs give two polygons in raster order', () => {
    const m = rectsMask(12, 6, [
      [7, 0, 10, 2],
      [1, 3, 4, 6],
    ]);
    const polys = maskToPolygons(m);
    expect(polys).toHaveLength(2);
    expect(Math.min(...polys[0].exterior.map((p) => p[1]))).toBe(0); // the upper blob first
    expect(Math.min(...polys[1].exterior.map((p) => p[1]))).toBe(3);
  });

  it('pixels touching only diagonally are one region (8-connectivity) and the hole between is 4-connected', () => {
    const m = maskFromRows([
      '110', //
      '111',
      '001',
    ]);
    expect(maskToPolygons(m, { tolerance: 0 })).toHaveLength(1);
    const diag = maskFromRows([
      '10', //
      '01',
    ]);
    const polys = maskToPolygons(diag, { tolerance: 0 });
    expect(polys).toHaveLength(1);
    expect(polys[0].holes).toEqual([]);
    expect(Array.from(rasterize(polys, 2, 2).data)).toEqual([1, 0, 0, 1]);
  });

  it('an island inside a hole is a polygon of its own', () => {
    const m = maskFromRows([
      '1111111', //
      '1000001',
      '1001001',
      '1000001',
      '1111111',
    ]);
    const polys = maskToPolygons(m, { tolerance: 0 });
    expect(polys).toHaveLength(2);
    expect(polys[0].holes).toHaveLength(1);
    expect(polys[1].holes).toHaveLength(0);
    expect(maskIou(rasterize(polys, 7, 5), m)).toBe(1);
  });

  it('is exact without simplification and ≥ 0.95 IoU with the default tolerance on round shapes', () => {
    const m = discMask(120, 90, 45.3, 40.7, 27);
    discMask(120, 90, 95, 60, 14, m);
    // punch a round hole into the big disc
    const hole = discMask(120, 90, 40, 36, 8);
    for (let i = 0; i < m.data.length; i++) if (hole.data[i]) m.data[i] = 0;
    const exact = maskToPolygons(m, { tolerance: 0 });
    expect(exact).toHaveLength(2);
    expect(maskIou(rasterize(exact, 120, 90), m)).toBe(1);
    const simple = maskToPolygons(m);
    expect(simple).toHaveLength(2);
    expect(simple[0].holes).toHaveLength(1);
    expect(maskIou(rasterize(simple, 120, 90), m)).toBeGreaterThanOrEqual(0.95);
    const nVertices = (ps: Polygon[]): number => ps.reduce((s, p) => s + p.exterior.length + p.holes.reduce((t, h) => t + h.length, 0), 0);
    expect(nVertices(simple)).toBeLessThan(nVertices(exact) / 2);
  });

  it('minArea drops small regions; an empty mask gives no polygons', () => {
    const m = rectsMask(10, 10, [
      [0, 0, 5, 5],
      [8, 8, 9, 9],
    ]);
    expect(maskToPolygons(m, { minArea: 2 })).toHaveLength(1);
    expect(maskToPolygons(rectsMask(4, 4, []))).toEqual([]);
    expect(() => maskToPolygons(m, { tolerance: -1 })).toThrow(/tolerance/);
  });
});

describe('simplifyRing', () => {
  it('drops vertices closer than the tolerance and keeps the far ones', () => {
    // square with a 0.5 px bump in the middle of the top edge and a 3 px spike on the right edge
    const ring: Array<[number, number]> = [
      [0, 0],
      [5, 0.5],
      [10, 0],
      [10, 5],
      [13, 6],
      [10, 7],
      [10, 10],
      [0, 10],
    ];
    const s = simplifyRing(ring, 1);
    expect(s).not.toContainEqual([5, 0.5]);
    expect(s).toContainEqual([13, 6]);
    expect(s).toContainEqual([0, 0]);
    expect(s).toContainEqual([10, 10]);
    expect(simplifyRing(ring, 0)).toEqual(ring);
  });
});
