import { describe, expect, it } from 'vitest';
import { generateMasks } from '../../core/amg/generateMasks';
import { generateMaskCandidates } from '../../core/amg/generateMasksProgressive';
import { encodeImage } from '../../core/model/encodeImage';
import { maskIou } from '../../core/masks';
import { SamflowError } from '../../core/errors';
import type { BoxXyxy } from '../../core/types';
import { ColorRegionModel } from './ColorRegionModel';
import { H, W, rectMask, sceneFrame, type Rect } from './scene';
import { detectionBoxes } from '../../cli/everything';
import { recordMask } from '../support/recordMask';

const boxOf = (r: Rect): BoxXyxy => [r.x, r.y, r.x + r.w, r.y + r.h];
/** Grid points (n×n, SAM's cell centres) inside a rectangle. */
const pointsIn = (r: Rect, n: number): number => {
  let k = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const x = ((j + 0.5) / n) * W;
      const y = ((i + 0.5) / n) * H;
      if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h) k++;
    }
  return k;
};

const RED: Rect = { x: 40, y: 40, w: 160, h: 120, rgb: [220, 30, 30] };
const GREEN: Rect = { x: 330, y: 60, w: 200, h: 100, rgb: [30, 200, 40] };
const BLUE: Rect = { x: 150, y: 240, w: 260, h: 120, rgb: [30, 40, 220] };
const regions = [{ rgb: RED.rgb }, { rgb: GREEN.rgb }, { rgb: BLUE.rgb }];

describe('generateMasks with promptBoxes (object-aware prompting)', () => {
  it('decodes the boxes first, skips the grid points their masks hold, and records which box each mask came from', async () => {
    const frame = await sceneFrame([RED, GREEN, BLUE]);
    const exhaustive = await generateMasks(new ColorRegionModel(regions), frame, { pointsPerSide: 16 });
    const model = new ColorRegionModel(regions);
    const records = await generateMasks(model, frame, { pointsPerSide: 16, promptBoxes: [boxOf(GREEN), boxOf(RED)] });
    // 2 box prompts, then only the grid points outside the red and green masks
    expect(model.decoderRuns).toBe(2 + 256 - pointsIn(RED, 16) - pointsIn(GREEN, 16));
    expect(records).toHaveLength(3);
    const green = records.filter((r) => maskIou(recordMask(r), rectMask(GREEN)) >= 0.9);
    const red = records.filter((r) => maskIou(recordMask(r), rectMask(RED)) >= 0.9);
    const blue = records.filter((r) => maskIou(recordMask(r), rectMask(BLUE)) >= 0.9);
    expect([green.length, red.length, blue.length]).toEqual([1, 1, 1]);
    expect(green[0].meta).toMatchObject({ promptBox: 0 });
    expect(red[0].meta).toMatchObject({ promptBox: 1 });
    expect(blue[0].meta?.['promptBox']).toBeUndefined(); // found by a grid point
    expect(blue[0].meta?.['gridIndex']).toEqual(expect.any(Number));
    // every exhaustive mask is found again
    for (const e of exhaustive) expect(records.some((r) => maskIou(recordMask(r), recordMask(e)) >= 0.9)).toBe(true);
  });

  it('a box whose mask fails the filters explains nothing: its grid points are still decoded', async () => {
    const frame = await sceneFrame([RED, GREEN]);
    const model = new ColorRegionModel([{ rgb: RED.rgb }, { rgb: GREEN.rgb }]);
    // a box on the background: the fake gives the background with predicted IoU 0.3 (filtered out)
    const records = await generateMasks(model, frame, { pointsPerSide: 8, promptBoxes: [[250, 250, 350, 350]] });
    expect(model.decoderRuns).toBe(1 + 64);
    expect(records).toHaveLength(2);
    expect(records.every((r) => r.meta?.['promptBox'] === undefined)).toBe(true);
  });

  it('with skipCovered too: the same shapes with fewer decoder runs than either alone', async () => {
    const frame = await sceneFrame([RED, GREEN, BLUE]);
    const boxesOnly = new ColorRegionModel(regions);
    await generateMasks(boxesOnly, frame, { pointsPerSide: 16, promptBoxes: [boxOf(BLUE)] });
    const both = new ColorRegionModel(regions);
    const records = await generateMasks(both, frame, { pointsPerSide: 16, promptBoxes: [boxOf(BLUE)], skipCovered: true });
    expect(both.decoderRuns).toBeLessThan(boxesOnly.decoderRuns);
    for (const shape of [RED, GREEN, BLUE]) expect(records.filter((r) => maskIou(recordMask(r), rectMask(shape)) >= 0.9)).toHaveLength(1);
  });

  it("generateMaskCandidates (the annotation page's proposals) takes the boxes too: box prompts first, then the grid outside their masks", async () => {
    const frame = await sceneFrame([RED, GREEN, BLUE]);
    const model = new ColorRegionModel(regions);
    const embedded = await encodeImage(model, frame);
    const candidates = await generateMaskCandidates(model, embedded, { pointsPerSide: 16, promptBoxes: [boxOf(GREEN)] });
    expect(model.decoderRuns).toBe(1 + 256 - pointsIn(GREEN, 16));
    expect(candidates.map((c) => c.prompt.meta?.['promptBox'] ?? 'grid').sort()).toEqual([0, 'grid', 'grid']);
    await expect(generateMaskCandidates(model, embedded, { promptBoxes: [[0, 0, 10]] as unknown as BoxXyxy[] })).rejects.toThrow(/promptBoxes\[0\] must be 4 finite numbers/);
  });

  it('limits and bad boxes: BAD_OPTION naming the box, before any decoder run', async () => {
    const frame = await sceneFrame([RED]);
    const model = new ColorRegionModel([{ rgb: RED.rgb }]);
    const cases: Array<[unknown, RegExp]> = [
      [Array.from({ length: 257 }, () => [0, 0, 10, 10]), /promptBoxes: number of boxes: 257 is over the limit of 256/],
      ['0,0,10,10', /promptBoxes must be an array/],
      [[[0, 0, 10]], /promptBoxes\[0\] must be 4 finite numbers/],
      [[boxOf(RED), [0, 0, Number.NaN, 5]], /promptBoxes\[1\] must be 4 finite numbers/],
      [[[50, 50, 40, 60]], /promptBoxes\[0\].*x1 > x0/],
      [[[500, 300, 700, 390]], /promptBoxes\[0\].*outside the 600x400 image/],
    ];
    for (const [promptBoxes, re] of cases) {
      const p = generateMasks(model, frame, { promptBoxes: promptBoxes as BoxXyxy[] });
      await expect(p).rejects.toBeInstanceOf(SamflowError);
      await expect(generateMasks(model, frame, { promptBoxes: promptBoxes as BoxXyxy[] })).rejects.toThrow(re);
    }
    expect(model.decoderRuns).toBe(0);
  });
});

describe('everything --detector-boxes: detections → promptBoxes', () => {
  it('converts XYWH detections to XYXY boxes clipped to the image, dropping those left empty', async () => {
    const boxes = detectionBoxes(
      [
        { bbox: [10, 20, 30, 40] },
        { bbox: [-5, 380, 50, 40] }, // sticks out left and bottom
        { bbox: [610, 10, 20, 20] }, // entirely right of the image
      ],
      { width: W, height: H },
    );
    expect(boxes).toEqual([
      [10, 20, 40, 60],
      [0, 380, 45, 400],
    ]);
    // the boxes pass generateMasks' checks
    const frame = await sceneFrame([RED]);
    await expect(generateMasks(new ColorRegionModel([{ rgb: RED.rgb }]), frame, { pointsPerSide: 2, promptBoxes: boxes })).resolves.toBeDefined();
  });
});
