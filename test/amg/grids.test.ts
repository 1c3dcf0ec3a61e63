import { describe, expect, it } from 'vitest';
import { buildAllLayerPointGrids, buildPointGrid } from '../../core/amg/buildPointGrid';
import { generateCropBoxes } from '../../core/amg/generateCropBoxes';
import { SamflowError } from '../../core/errors';

describe('buildPointGrid (SAM build_point_grid)', () => {
  it('1 per side is the image centre', () => {
    expect(buildPointGrid(1)).toEqual([[0.5, 0.5]]);
  });
  it('2 per side: cell centres, x varies fastest', () => {
    expect(buildPointGrid(2)).toEqual([
      [0.25, 0.25],
      [0.75, 0.25],
      [0.25, 0.75],
      [0.75, 0.75],
    ]);
  });
  it('4 per side: offset 1/8 and step 1/4', () => {
    const g = buildPointGrid(4);
    expect(g).toHaveLength(16);
    const side = [0.125, 0.375, 0.625, 0.875];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        expect(g[i * 4 + j][0]).toBeCloseTo(side[j], 12);
        expect(g[i * 4 + j][1]).toBeCloseTo(side[i], 12);
      }
    }
    expect(g[15]).toEqual([0.875, 0.875]);
  });
  it('rejects 0, negative and fractional sizes with BAD_OPTION naming pointsPerSide', () => {
    for (const n of [0, -2, 1.5]) {
      expect(() => buildPointGrid(n)).toThrow(SamflowError);
      expect(() => buildPointGrid(n)).toThrow(/pointsPerSide/);
    }
  });
});

describe('buildAllLayerPointGrids (SAM build_all_layer_point_grids)', () => {
  it('halves the points per side per layer with scale 2', () => {
    expect(buildAllLayerPointGrids(32, 2, 2).map((g) => g.length)).toEqual([32 * 32, 16 * 16, 8 * 8]);
  });
  it('truncates like int(): 32 / 3 → 10, 32 / 9 → 3', () => {
    expect(buildAllLayerPointGrids(32, 2, 3).map((g) => g.length)).toEqual([1024, 100, 9]);
  });
  it('scale 1 keeps the same grid on every layer', () => {
    const grids = buildAllLayerPointGrids(4, 1, 1);
    expect(grids[1]).toEqual(grids[0]);
  });
});

describe('generateCropBoxes (SAM generate_crop_boxes)', () => {
  it('0 layers: only the whole image', () => {
    expect(generateCropBoxes([400, 600], 0, 512 / 1500)).toEqual({ cropBoxes: [[0, 0, 600, 400]], layerIdxs: [0] });
  });

  it('600x400, 1 layer: overlap int(136.53)=136, crop 368x268', () => {
    // overlap = int(512/1500 * 400 * 2/2) = 136; cropW = ceil((136 + 600) / 2) = 368; cropH = ceil((136 + 400) / 2) = 268
    // x0s = [0, 232], y0s = [0, 132]; product(x0s, y0s) is x-major
    expect(generateCropBoxes([400, 600], 1, 512 / 1500)).toEqual({
      cropBoxes: [
        [0, 0, 600, 400],
        [0, 0, 368, 268],
        [0, 132, 368, 400],
        [232, 0, 600, 268],
        [232, 132, 600, 400],
      ],
      layerIdxs: [0, 1, 1, 1, 1],
    });
  });

  it('600x400, 2 layers: second layer 4x4 crops of 201x151 with overlap 68', () => {
    // overlap = int(512/1500 * 400 * 2/4) = int(68.27) = 68; cropW = ceil((68*3 + 600)/4) = 201; cropH = ceil((204 + 400)/4) = 151
    // x0s = [0, 133, 266, 399]; y0s = [0, 83, 166, 249]
    const { cropBoxes, layerIdxs } = generateCropBoxes([400, 600], 2, 512 / 1500);
    expect(cropBoxes).toHaveLength(1 + 4 + 16);
    expect(layerIdxs.filter((l) => l === 2)).toHaveLength(16);
    const layer2 = cropBoxes.slice(5);
    expect(layer2[0]).toEqual([0, 0, 201, 151]);
    expect(layer2[1]).toEqual([0, 83, 201, 234]);
    expect(layer2[3]).toEqual([0, 249, 201, 400]);
    expect(layer2[4]).toEqual([133, 0, 334, 151]);
    expect(layer2[15]).toEqual([399, 249, 600, 400]);
  });

  it('portrait 300x1000 (w x h), 1 layer: ceil rounds up odd sums, last crop clipped to the image', () => {
    // short side 300: overlap = int(0.341333 * 300) = int(102.4) = 102
    // cropW = ceil((102 + 300) / 2) = 201; cropH = ceil((102 + 1000) / 2) = 551
    // x0s = [0, 99]; y0s = [0, 449]; 99 + 201 = 300, 449 + 551 = 1000
    expect(generateCropBoxes([1000, 300], 1, 512 / 1500).cropBoxes).toEqual([
      [0, 0, 300, 1000],
      [0, 0, 201, 551],
      [0, 449, 201, 1000],
      [99, 0, 300, 551],
      [99, 449, 300, 1000],
    ]);
  });

  it('overlap ratio 0: crops tile the image exactly, ceil on odd sides', () => {
    // 5x7 (h x w): cropW = ceil(7/2) = 4, cropH = ceil(5/2) = 3; x0s [0, 4] → second crop clipped to 7
    expect(generateCropBoxes([5, 7], 1, 0).cropBoxes).toEqual([
      [0, 0, 7, 5],
      [0, 0, 4, 3],
      [0, 3, 4, 5],
      [4, 0, 7, 3],
      [4, 3, 7, 5],
    ]);
  });

  it('rejects bad layer counts and ratios naming the option', () => {
    expect(() => generateCropBoxes([10, 10], -1, 0.3)).toThrow(/cropNLayers/);
    expect(() => generateCropBoxes([10, 10], 1, 1.5)).toThrow(/cropOverlapRatio/);
  });
});
