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
