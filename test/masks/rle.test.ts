import { describe, expect, it } from 'vitest';
import { compressRle, decompressRle, maskToRle, rleArea, rleToBoxXywh, rleToMask } from '../../core/masks';
import { maskArea } from '../../core/masks/maskArea';
import { maskToBoxXywh } from '../../core/masks/maskToBoxXywh';
import { SamflowError } from '../../core/errors';
import type { BinaryMask } from '../../core/types';

/** Builds a mask from rows of '0'/'1' characters. */
function maskFromRows(rows: string[]): BinaryMask {
  const height = rows.length;
  const width = rows[0].length;
  const data = new Uint8Array(width * height);
  rows.forEach((r, y) => [...r].forEach((ch, x) => (data[y * width + x] = ch === '1' ? 1 : 0)));
  return { width, height, data };
}

/** Deterministic PRNG (mulberry32) so failures are reproducible. */
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

/** Random mask with runs of random length (so counts of all sizes, incl. > 16 and > 512, occur). */
function randomMask(width: number, height: number, seed: number, density = 0.5): BinaryMask {
  const r = rng(seed);
  const data = new Uint8Array(width * height);
  let i = 0;
  let v = r() < density ? 1 : 0;
  while (i < data.length) {
    const len = 1 + Math.floor(r() ** 3 * 2000);
    data.fill(v, i, Math.min(data.length, i + len));
    i += len;
    v = 1 - v;
  }
  return { width, height, data };
}

/** Column-major counts computed the slow obvious way, as an independent reference. */
function referenceCounts(m: BinaryMask): number[] {
  const seq: number[] = [];
  for (let x = 0; x < m.width; x++) for (let y = 0; y < m.height; y++) seq.push(m.data[y * m.width + x]);
  const counts: number[] = [];
  let cur = 0;
  let run = 0;
  for (const v of seq) {
    if (v !== cur) {
      counts.push(run);
      run = 0;
      cur = v;
    }
    run++;
  }
  counts.push(run);
  return counts;
}

describe('maskToRle (column-major, starts with zeros)', () => {
  it('encodes a 2x3 mask as worked out by hand', () => {
    // rows:  0 1 1      column-major read: col0 = 0,0  col1 = 1,1  col2 = 1,0
    //        0 1 0      → 0 0 1 1 1 0 → counts [2, 3, 1]
    const rle = maskToRle(maskFromRows(['011', '010']));
    expect(rle).toEqual({ size: [2, 3], counts: [2, 3, 1] });
  });

  it('starts with a 0 count when the first pixel is inside', () => {
    // col0 = 1,0  col1 = 0,1 → 1 0 0 1 → counts [0, 1, 2, 1]
    expect(maskToRle(maskFromRows(['10', '01'])).counts).toEqual([0, 1, 2, 1]);
  });

  it('encodes an empty mask as one run of zeros and a full mask as [0, h*w]', () => {
    expect(maskToRle(maskFromRows(['000', '000'])).counts).toEqual([6]);
    expect(maskToRle(maskFromRows(['111', '111'])).counts).toEqual([0, 6]);
  });

  it('matches a slow reference on random masks of odd sizes', () => {
    for (const [w, h, seed] of [
      [1, 1, 1],
      [7, 3, 2],
      [33, 17, 3],
      [101, 57, 4],
      [257, 129, 5],
    ] as const) {
      const m = randomMask(w, h, seed);
      expect(maskToRle(m).counts).toEqual(referenceCounts(m));
    }
  });

  it('refuses a mask whose data length does not match its size, naming the input', () => {
    expect(() => maskToRle({ width: 4, height: 4, data: new Uint8Array(15) })).toThrow(SamflowError);
    expect(() => maskToRle({ width: 4, height: 4, data: new Uint8Array(15) })).toThrow(/maskToRle: mask.*16 bytes/);
  });
});

describe('compressRle / decompressRle (pycocotools string form)', () => {
  it('writes small counts as single characters (value + 48)', () => {
    // counts [2, 3, 1]: each value < 16, no delta for i <= 2 → '2', '3', '1'.
    expect(compressRle({ size: [2, 3], counts: [2, 3, 1] }).counts).toBe('231');
  });

  it('splits counts into 5-bit chunks with a continuation bit', () => {
    // 99 = 0b11_00011: first chunk 3 | 0x20 (more) = 35 → 'S'; second chunk 3 → '3'.
    // 16: chunk 16 has the sign bit 0x10 set while the rest is 0, so one more chunk is needed:
    //     16 | 0x20 = 48 → '`', then 0 → '0'.
    expect(compressRle({ size: [1, 100], counts: [99, 1] }).counts).toBe('S31');
    expect(compressRle({ size: [1, 20], counts: [16, 4] }).counts).toBe('`04');
  });

  it('stores counts from the 4th on as a (possibly negative) delta against counts[i-2]', () => {
    // counts [5, 10, 3, 2]: '5', ':' (10 + 48), '3' (i = 2 is not delta-coded, pycocotools uses i > 2),
    // then 2 - 10 = -8: low 5 bits of -8 = 24 (0b11000, sign bit set), rest = -1 → stop → 24 + 48 = 'H'.
    expect(compressRle({ size: [4, 5], counts: [5, 10, 3, 2] }).counts).toBe('5:3H');
    expect(decompressRle({ size: [4, 5], counts: '5:3H' }).counts).toEqual([5, 10, 3, 2]);
  });

  it('round-trips a string written by pycocotools', () => {
    // A 50x70 mask's counts as printed by pycocotools.mask.encode, quoted in the README of
    // github.com/armengot/COCOtoolsFORK (python/README.md).
    const coco =
      '0g05b08J4M2N2NA^O1`0OCO=0E090H080IO68DH;>@C>a0_O_O`0j0OWOF<:CM72I24NL43JM92FN;1ENKO72L0LO91J0MO92INO0NO122OO0M031O000NO31OO11MO40N011MO41MO21L06OL021L06OL021L06OL021L060J040L060J040L060J040L060J040L060J040L060J040L060KO31L060KO31L06OL021L06OL021L06OL021MO41MO21MO40N100NO310O00M0310O00NO1220NO92IONO91KOMO72M0<1EO:2GN63KM34OLM73JF<;=1G_O_Ob0=AC`07EH=1IO71H090F0:1DO>1_O1b0>2N2N3L6H]O';
    const rle = decompressRle({ size: [50, 70], counts: coco });
    expect(rle.counts.reduce((s, c) => s + c, 0)).toBe(50 * 70);
    const mask = rleToMask(rle);
    expect(compressRle(maskToRle(mask)).counts).toBe(coco);
    expect(rleArea({ size: [50, 70], counts: coco })).toBe(maskArea(mask));
  });

  it('round-trips exactly on random masks of odd sizes', () => {
    for (const [w, h, seed] of [
      [1, 1, 11],
      [3, 5, 12],
      [99, 61, 13],
      [640, 479, 14],
    ] as const) {
      const m = randomMask(w, h, seed);
      const rle = maskToRle(m);
      const c = compressRle(rle);
      expect(c.size).toEqual([h, w]);
      expect(decompressRle(c)).toEqual(rle);
      // Byte comparison: vitest's deep equality is very slow on 300k-element typed arrays.
      for (const back of [rleToMask(c), rleToMask(rle)]) {
        expect([back.width, back.height]).toEqual([w, h]);
        expect(Buffer.compare(back.data, m.data)).toBe(0);
      }
    }
  });

  it('round-trips counts whose deltas need many chunks (large and strongly negative)', () => {
    const counts = [3, 9_000_000, 1, 2, 40_000_000, 0, 5, 1];
    const total = counts.reduce((s, c) => s + c, 0);
    const c = compressRle({ size: [1, total], counts });
    expect(decompressRle(c).counts).toEqual(counts);
  });

  it('refuses corrupt strings with a message that says what is wrong', () => {
    expect(() => decompressRle({ size: [2, 3], counts: '23' })).toThrow(/cover 5 pixels but size \[2, 3\] has 6/);
    expect(() => decompressRle({ size: [2, 3], counts: '2 31' })).toThrow(/not valid in a COCO RLE string/);
    expect(() => decompressRle({ size: [1, 100], counts: 'S' })).toThrow(/truncated/);
    expect(() => rleToMask({ size: [2, 3], counts: [2, 3] })).toThrow(SamflowError);
  });
});

describe('rleArea and rleToBoxXywh', () => {
  it('area is the sum of the odd counts', () => {
    expect(rleArea({ size: [2, 3], counts: [2, 3, 1] })).toBe(3);
    expect(rleArea(compressRle({ size: [2, 3], counts: [0, 6] }))).toBe(6);
  });

  it('box from runs equals the box of the decoded mask, in both conventions', () => {
    for (let seed = 20; seed < 30; seed++) {
      const m = randomMask(37 + seed, 23 + (seed % 7), seed, 0.1);
      // sparse: keep only a few runs so boxes are not trivially the whole image
      const sparse = new Uint8Array(m.data.length);
      for (let i = 0; i < m.data.length; i++) sparse[i] = m.data[i] && i % 97 < 5 ? 1 : 0;
      const mm = { width: m.width, height: m.height, data: sparse };
      const rle = maskToRle(mm);
      expect(rleToBoxXywh(rle)).toEqual(maskToBoxXywh(mm));
      expect(rleToBoxXywh(rle, { convention: 'coco' })).toEqual(maskToBoxXywh(mm, { convention: 'coco' }));
    }
  });

  it('a run that wraps into the next column spans all rows', () => {
    // 3x3, inside pixels (x=0,y=2) and (x=1,y=0): column-major indices 2 and 3, one run.
    const m = maskFromRows(['010', '000', '100']);
    expect(maskToRle(m).counts).toEqual([2, 2, 5]);
    expect(rleToBoxXywh(maskToRle(m))).toEqual([0, 0, 1, 2]);
  });

  it('empty RLE gives [0, 0, 0, 0]', () => {
    expect(rleToBoxXywh({ size: [4, 4], counts: [16] })).toEqual([0, 0, 0, 0]);
  });
});
