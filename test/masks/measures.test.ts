import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { maskArea, maskIntersection, maskIou, maskToBoxXywh, maskToPng, pngToMask, stabilityScore } from '../../core/masks';
import { SamflowError } from '../../core/errors';
import { maskFromRows, rectsMask } from './helpers';

describe('maskArea / maskToBoxXywh / maskIou / maskIntersection', () => {
  const m = maskFromRows([
    '00000', //
    '01100',
    '01110',
    '00000',
  ]);

  it('area counts inside pixels', () => {
    expect(maskArea(m)).toBe(5);
  });

  it("box uses SAM's inclusive convention: x0=1, y0=1, x1=3, y1=2 → [1, 1, 2, 1]", () => {
    expect(maskToBoxXywh(m)).toEqual([1, 1, 2, 1]);
    expect(maskToBoxXywh(m, { convention: 'coco' })).toEqual([1, 1, 3, 2]);
  });

  it('a single pixel has zero width and height; an empty mask gives [0,0,0,0]', () => {
    expect(maskToBoxXywh(maskFromRows(['000', '001']))).toEqual([2, 1, 0, 0]);
    expect(maskToBoxXywh(maskFromRows(['000', '000']))).toEqual([0, 0, 0, 0]);
  });

  it('IoU of two overlapping rectangles: 4x4 and 4x4 shifted by 2 → 8 / 24', () => {
    const a = rectsMask(10, 10, [[0, 0, 4, 4]]);
    const b = rectsMask(10, 10, [[2, 0, 6, 4]]);
    expect(maskIntersection(a, b)).toBe(8);
    expect(maskIou(a, b)).toBeCloseTo(8 / 24, 12);
    expect(maskIou(a, a)).toBe(1);
    expect(maskIou(rectsMask(3, 3, []), rectsMask(3, 3, []))).toBe(0);
  });

  it('refuses masks of different sizes, naming both sizes', () => {
    expect(() => maskIou(rectsMask(3, 3, []), rectsMask(4, 3, []))).toThrow(SamflowError);
    expect(() => maskIou(rectsMask(3, 3, []), rectsMask(4, 3, []))).toThrow(/3x3 and 4x3/);
  });
});

describe('stabilityScore', () => {
  it('is count(> t+o) / count(> t-o), hand-computed', () => {
    // values > 1: 3.0, 2.0 → 2; values > -1: 3.0, 2.0, 0.5, -0.5 → 4 → 0.5
    const logits = Float32Array.from([3, 2, 0.5, -0.5, -1, -2]);
    expect(stabilityScore(logits, 0, 1)).toBe(0.5);
    // threshold 1, offset 0.5: > 1.5 → 2; > 0.5 → 2 (0.5 itself is not > 0.5) → 1
    expect(stabilityScore(logits, 1, 0.5)).toBe(1);
  });

  it('returns 0 (not NaN) when nothing is above t - o', () => {
    expect(stabilityScore(new Float32Array(4).fill(-5), 0, 1)).toBe(0);
  });

  it('counts only the valid region when one is given', () => {
    // 3x2 map; valid area 2x1 is [5, -0.5]; the padding holds 5s that must not count.
    const logits = Float32Array.from([5, -0.5, 5, 5, 5, 5]);
    expect(stabilityScore(logits, 0, 1, { width: 3, height: 2, validWidth: 2, validHeight: 1 })).toBe(1 / 2);
    expect(stabilityScore(logits, 0, 1)).toBe(5 / 6);
    expect(() => stabilityScore(logits, 0, 1, { width: 4, height: 2, validWidth: 2, validHeight: 1 })).toThrow(/does not fit logits of length 6/);
  });
});

describe('maskToPng / pngToMask', () => {
  it('writes a single-channel 8-bit PNG of the mask size with 255 inside and 0 outside', async () => {
    const m = maskFromRows(['0110', '1001', '0000']);
    const png = await maskToPng(m);
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height, meta.channels, meta.depth]).toEqual([4, 3, 1, 'uchar']);
    // IHDR: bit depth at byte 24 = 8, colour type at byte 25 = 0 (grayscale, no alpha).
    expect([png[24], png[25]]).toEqual([8, 0]);
    const { data } = await sharp(png).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    expect(Array.from(data)).toEqual([0, 255, 255, 0, 255, 0, 0, 255, 0, 0, 0, 0]);
    const back = await pngToMask(png);
    expect(Array.from(back.data)).toEqual(Array.from(m.data));
  });

  it('reads RGBA/colour masks as gray with a threshold', async () => {
    // 2x1 RGBA: gray 200 and gray 100 → inside at threshold 127, both inside at threshold 50.
    const rgba = Buffer.from([200, 200, 200, 255, 100, 100, 100, 255]);
    const png = await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } })
      .png()
      .toBuffer();
    expect(Array.from((await pngToMask(png)).data)).toEqual([1, 0]);
    expect(Array.from((await pngToMask(png, 50)).data)).toEqual([1, 1]);
  });

  it('refuses bytes that are not an image, with a BAD_IMAGE error', async () => {
    await expect(pngToMask(Buffer.from('not a png'))).rejects.toMatchObject({ code: 'BAD_IMAGE' });
  });
});
