import { describe, expect, it } from 'vitest';
import { filterPredictedIou } from '../../core/amg/filterPredictedIou';
import { filterStability } from '../../core/amg/filterStability';
import { lowResMaskBoxXyxy } from '../../core/amg/lowResMaskBoxXyxy';
import { cropFrame } from '../../core/amg/cropFrame';
import { coarseToFineOrder } from '../../core/amg/CoverageSkipper';
import { resolveAmgOptions, AMG_DEFAULTS } from '../../core/amg/AmgOptions';
import { SamTransform } from '../../core/geometry/SamTransform';
import type { MaskCandidate } from '../../core/types';

function cand(predictedIou: number, logits = new Float32Array(256 * 256), transform = new SamTransform(1024, 1024)): MaskCandidate {
  return { lowResLogits: logits, predictedIou, prompt: { points: [{ x: 1, y: 1, label: 1 }] }, transform, maskIndex: 0, frameId: 'f' };
}

describe('filters', () => {
  it('filterPredictedIou keeps strictly greater', () => {
    const kept = filterPredictedIou([cand(0.88), cand(0.881), cand(0.9), cand(0.5)], 0.88);
    expect(kept.map((c) => c.predictedIou)).toEqual([0.881, 0.9]);
    expect(filterPredictedIou([cand(0.1)], 0)).toHaveLength(1);
  });

  it('filterStability scores count(>1)/count(>-1) over the valid area and keeps >=', () => {
    const l = new Float32Array(256 * 256).fill(-5);
    for (let i = 0; i < 100; i++) l[i] = 5; // > +1
    for (let i = 100; i < 150; i++) l[i] = 0.5; // between -1 and +1
    const c = cand(0.9, l);
    const [scored] = filterStability([c], { stabilityScoreThresh: 0, stabilityScoreOffset: 1 });
    expect(scored.stabilityScore).toBeCloseTo(100 / 150, 12);
    expect(filterStability([c], { stabilityScoreThresh: 100 / 150, stabilityScoreOffset: 1 })).toHaveLength(1);
    expect(filterStability([c], { stabilityScoreThresh: 0.67, stabilityScoreOffset: 1 })).toHaveLength(0);
    // offset 0.4: 0.5 counts as inside both → 150/150
    expect(filterStability([c], { stabilityScoreThresh: 0, stabilityScoreOffset: 0.4 })[0].stabilityScore).toBe(1);
  });

  it('filterStability ignores the padded area of the low-res map', () => {
    // 1024x512 image → resized 1024x512 → valid low-res area 256x128; rows >= 128 are padding
    const l = new Float32Array(256 * 256).fill(-5);
    for (let i = 0; i < 10; i++) l[i] = 5;
    for (let i = 0; i < 30; i++) l[200 * 256 + i] = 0; // in the padding: must not count
    const [scored] = filterStability([cand(0.9, l, new SamTransform(1024, 512))], { stabilityScoreThresh: 0, stabilityScoreOffset: 1 });
    expect(scored.stabilityScore).toBe(1);
  });
});

describe('lowResMaskBoxXyxy', () => {
  const rect = (): Float32Array<ArrayBuffer> => {
    const l = new Float32Array(256 * 256).fill(-3);
    for (let y = 5; y <= 9; y++) for (let x = 10; x <= 19; x++) l[y * 256 + x] = 3;
    return l;
  };
  it('1024x1024 image: each low-res pixel is 4 original pixels', () => {
    expect(lowResMaskBoxXyxy(cand(1, rect()))).toEqual([40, 20, 79, 39]);
  });
  it('600x400 image: extents rounded outwards (x * 600/1024, y * 400/683)', () => {
    // x0 = floor(40*600/1024) = 23, x1 = ceil(80*600/1024) - 1 = 46; y0 = floor(20*400/683) = 11, y1 = ceil(40*400/683) - 1 = 23
    expect(lowResMaskBoxXyxy(cand(1, rect(), new SamTransform(600, 400)))).toEqual([23, 11, 46, 23]);
  });
  it('empty mask → [0,0,0,0] as SAM', () => {
    expect(lowResMaskBoxXyxy(cand(1, new Float32Array(256 * 256).fill(-1)))).toEqual([0, 0, 0, 0]);
  });
});

describe('cropFrame and visiting order', () => {
  it('cropFrame copies the pixels of the crop box', () => {
    const rgb = new Uint8Array(4 * 3 * 3).map((_, i) => i);
    const f = cropFrame({ id: 'a', width: 4, height: 3, rgb }, [1, 1, 3, 3]);
    expect([f.width, f.height]).toEqual([2, 2]);
    // pixel (1,1) starts at byte (1*4+1)*3 = 15; (2,1) at 18; (1,2) at 27; (2,2) at 30
    expect(Array.from(f.rgb)).toEqual([15, 16, 17, 18, 19, 20, 27, 28, 29, 30, 31, 32]);
    const whole = { id: 'b', width: 4, height: 3, rgb };
    expect(cropFrame(whole, [0, 0, 4, 3])).toBe(whole);
  });
  it('coarseToFineOrder on a 4x4 grid: (2,2), then odd rows/cols, then the rest', () => {
    expect(coarseToFineOrder(16)).toEqual([10, 5, 7, 13, 15, 0, 1, 2, 3, 4, 6, 8, 9, 11, 12, 14]);
    expect(coarseToFineOrder(5)).toEqual([0, 1, 2, 3, 4]);
    expect(new Set(coarseToFineOrder(1024)).size).toBe(1024);
  });
});

describe('resolveAmgOptions', () => {
  it("fills SAM's defaults", () => {
    const o = resolveAmgOptions();
    expect(o.pointGrids[0]).toHaveLength(32 * 32);
    expect(o).toMatchObject({
      pointsPerBatch: 64,
      predIouThresh: 0.88,
      stabilityScoreThresh: 0.95,
      stabilityScoreOffset: 1,
      boxNmsThresh: 0.7,
      cropNLayers: 0,
      cropNmsThresh: 0.7,
      cropOverlapRatio: 512 / 1500,
      cropNPointsDownscaleFactor: 1,
      minMaskRegionArea: 0,
      outputMode: 'coco_rle',
      skipCovered: false,
    });
    expect(AMG_DEFAULTS.pointsPerSide).toBe(32);
  });
  it('crop layers get downscaled grids; pointGrids must match the layers', () => {
    expect(resolveAmgOptions({ pointsPerSide: 8, cropNLayers: 2, cropNPointsDownscaleFactor: 2 }).pointGrids.map((g) => g.length)).toEqual([64, 16, 4]);
    expect(() => resolveAmgOptions({ pointGrids: [[[0.5, 0.5]]], cropNLayers: 1 })).toThrow(/pointGrids/);
    expect(() => resolveAmgOptions({ pointGrids: [[[1.5, 0.5]]] })).toThrow(/pointGrids/);
  });
});
