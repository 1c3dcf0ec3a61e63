import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeImage } from '../../core/image';
import { generateMasks } from '../../core/amg/generateMasks';
import { generateMasksProgressive, type AmgEvent } from '../../core/amg/generateMasksProgressive';
import { toRecords } from '../../core/records';
import { rleArea, rleToMask, maskIou, maskArea, maskToBoxXywh } from '../../core/masks';
import { SamflowError } from '../../core/errors';
import type { BinaryMask, Frame } from '../../core/types';
import { decodeMasks } from '../../core/model/decodeMasks';
import { encodeImage } from '../../core/model/encodeImage';
import { ColorRegionModel } from './ColorRegionModel';
import { recordMask } from '../support/recordMask';

const W = 600;
const H = 400;
type Rect = { x: number; y: number; w: number; h: number; rgb: [number, number, number] };

async function scene(rects: readonly Rect[]): Promise<Frame> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="rgb(90,90,90)"/>${rects
    .map((r) => `<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" fill="rgb(${r.rgb.join(',')})" shape-rendering="crispEdges"/>`)
    .join('')}</svg>`;
  return decodeImage(await sharp(Buffer.from(svg)).png().toBuffer(), { id: 'scene' });
}

function rectMask(r: Rect): BinaryMask {
  const data = new Uint8Array(W * H);
  for (let y = r.y; y < r.y + r.h; y++) data.fill(1, y * W + r.x, y * W + r.x + r.w);
  return { width: W, height: H, data };
}

const RED: Rect = { x: 40, y: 40, w: 160, h: 120, rgb: [220, 30, 30] };
const GREEN: Rect = { x: 330, y: 60, w: 200, h: 100, rgb: [30, 200, 40] };
const BLUE: Rect = { x: 150, y: 240, w: 260, h: 120, rgb: [30, 40, 220] };

describe('generateMasks on a scene of separated shapes (fake model)', () => {
  it('returns each shape exactly once, as SA-1B records whose RLE decodes to their area', async () => {
    const frame = await scene([RED, GREEN, BLUE]);
    const model = new ColorRegionModel([{ rgb: RED.rgb }, { rgb: GREEN.rgb }, { rgb: BLUE.rgb }]);
    const records = await generateMasks(model, frame, { pointsPerSide: 8 });
    expect(model.decoderRuns).toBe(64);
    expect(records).toHaveLength(3);
    for (const shape of [RED, GREEN, BLUE]) {
      const matches = records.filter((r) => maskIou(recordMask(r), rectMask(shape)) >= 0.9);
      expect(matches).toHaveLength(1);
    }
    for (const r of records) {
      const m = recordMask(r);
      expect(rleArea(r.segmentation as never)).toBe(r.area);
      expect(maskArea(m)).toBe(r.area);
      expect(r.bbox).toEqual(maskToBoxXywh(m));
      expect(r.crop_box).toEqual([0, 0, W, H]);
      expect(r.predicted_iou).toBeCloseTo(0.95, 5);
      expect(r.stability_score).toBe(1);
      const [px, py] = r.point_coords[0];
      expect(m.data[Math.floor(py) * W + Math.floor(px)]).toBe(1); // the prompt point lies in its mask
    }
  });

  it('output modes give the same masks; polygons on request', async () => {
    const frame = await scene([RED]);
    const model = new ColorRegionModel([{ rgb: RED.rgb }]);
    const bin = await generateMasks(model, frame, { pointsPerSide: 4, outputMode: 'binary_mask', polygons: true });
    const unc = await generateMasks(model, frame, { pointsPerSide: 4, outputMode: 'uncompressed_rle' });
    expect(bin).toHaveLength(1);
    expect(unc).toHaveLength(1);
    const m = bin[0].segmentation as BinaryMask;
    expect(maskIou(m, rleToMask(unc[0].segmentation as never))).toBe(1);
    expect(maskIou(m, rectMask(RED))).toBeGreaterThan(0.95);
    expect(bin[0].polygons).toHaveLength(1);
    expect(bin[0].polygons![0].holes).toHaveLength(0);
  });

  it('skipCovered finds the same shapes, nested ones included, with fewer decoder runs', async () => {
    // INNER lies inside OUTER: a click on OUTER gives OUTER+INNER, a click on INNER gives INNER
    const OUTER: Rect = { x: 60, y: 50, w: 300, h: 300, rgb: [200, 180, 20] };
    const INNER: Rect = { x: 140, y: 130, w: 120, h: 120, rgb: [20, 160, 200] };
    const frame = await scene([OUTER, INNER, GREEN]);
    const regions = [{ rgb: OUTER.rgb }, { rgb: INNER.rgb, parent: 0 }, { rgb: GREEN.rgb }];
    const exhaustiveModel = new ColorRegionModel(regions);
    const exhaustive = await generateMasks(exhaustiveModel, frame, { pointsPerSide: 16 });
    const fastModel = new ColorRegionModel(regions);
    const fast = await generateMasks(fastModel, frame, { pointsPerSide: 16, skipCovered: true });
    const outerMask = rectMask(OUTER); // includes INNER
    for (const records of [exhaustive, fast]) {
      expect(records).toHaveLength(3);
      expect(records.filter((r) => maskIou(recordMask(r), outerMask) >= 0.9)).toHaveLength(1);
      expect(records.filter((r) => maskIou(recordMask(r), rectMask(INNER)) >= 0.9)).toHaveLength(1);
      expect(records.filter((r) => maskIou(recordMask(r), rectMask(GREEN)) >= 0.9)).toHaveLength(1);
    }
    expect(exhaustiveModel.decoderRuns).toBe(256);
    expect(fastModel.decoderRuns).toBeLessThan(128);
  });

  it('crops: cropNLayers 1 decodes each crop as its own image and keeps one mask per shape', async () => {
    const frame = await scene([RED, GREEN, BLUE]);
    const model = new ColorRegionModel([{ rgb: RED.rgb }, { rgb: GREEN.rgb }, { rgb: BLUE.rgb }]);
    const records = await generateMasks(model, frame, { pointsPerSide: 8, cropNLayers: 1 });
    expect(model.decoderRuns).toBe(64 * 5);
    for (const shape of [RED, GREEN, BLUE]) {
      expect(records.filter((r) => maskIou(recordMask(r), rectMask(shape)) >= 0.9)).toHaveLength(1);
    }
    // every record is whole-image sized and its crop box is one of SAM's crop boxes for 600x400
    const crops = [
      [0, 0, 600, 400],
      [0, 0, 368, 268],
      [0, 132, 368, 268],
      [232, 0, 368, 268],
      [232, 132, 368, 268],
    ];
    for (const r of records) {
      expect(recordMask(r).width).toBe(W);
      expect(crops).toContainEqual([...r.crop_box]);
    }
  });
});

describe('progress and cancellation', () => {
  it('reports done/total per batch and ends with the records', async () => {
    const frame = await scene([RED]);
    const model = new ColorRegionModel([{ rgb: RED.rgb }]);
    const events: AmgEvent[] = [];
    for await (const ev of generateMasksProgressive(model, frame, { pointsPerSide: 4, pointsPerBatch: 5 })) events.push(ev);
    expect(events.map((e) => e.done)).toEqual([5, 10, 15, 16, 16]);
    expect(events.every((e) => e.total === 16)).toBe(true);
    expect(events.at(-1)!.kind).toBe('done');
  });

  it('aborting after the first batch stops further decoder runs', async () => {
    const frame = await scene([RED]);
    const model = new ColorRegionModel([{ rgb: RED.rgb }]);
    const ac = new AbortController();
    const run = generateMasks(model, frame, {
      pointsPerSide: 8,
      pointsPerBatch: 4,
      signal: ac.signal,
      onProgress: () => ac.abort(),
    });
    await expect(run).rejects.toThrow();
    expect(model.decoderRuns).toBe(4);
    await new Promise((r) => setTimeout(r, 20));
    expect(model.decoderRuns).toBe(4);
  });
});

describe('options and toRecords', () => {
  it('invalid options throw BAD_OPTION naming the option', async () => {
    const frame = await scene([]);
    const model = new ColorRegionModel([]);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ pointsPerSide: 0 }, /pointsPerSide/],
      [{ pointsPerBatch: -1 }, /pointsPerBatch/],
      [{ predIouThresh: 1.5 }, /predIouThresh/],
      [{ stabilityScoreThresh: Number.NaN }, /stabilityScoreThresh/],
      [{ boxNmsThresh: -0.1 }, /boxNmsThresh/],
      [{ cropNLayers: 1.5 }, /cropNLayers/],
      [{ outputMode: 'png' }, /outputMode/],
      [{ minMaskRegionArea: -5 }, /minMaskRegionArea/],
    ];
    for (const [opts, re] of cases) {
      const p = generateMasks(model, frame, opts);
      await expect(p).rejects.toBeInstanceOf(SamflowError);
      await expect(generateMasks(model, frame, opts)).rejects.toThrow(re);
    }
    expect(model.decoderRuns).toBe(0);
  });

  it('minMaskRegionArea removes a small island from a record (SAM postprocess_small_regions)', async () => {
    const frame = await scene([RED]);
    const model = new ColorRegionModel([{ rgb: RED.rgb }]);
    const [rec] = await generateMasks(model, frame, { pointsPerSide: 4, outputMode: 'binary_mask' });
    const base = rec.segmentation as BinaryMask;
    // a candidate whose logits hold RED plus a 2x2 low-res island far away
    const emb = await encodeImage(model, frame);
    const [c] = await decodeMasks(model, emb, { points: [{ x: 100, y: 100, label: 1 }] });
    const logits = Float32Array.from(c.lowResLogits);
    for (const [x, y] of [
      [200, 150],
      [201, 150],
      [200, 151],
      [201, 151],
    ] as const)
      logits[y * 256 + x] = 8;
    const withIsland = { ...c, lowResLogits: logits };
    const [kept] = toRecords([withIsland], { outputMode: 'binary_mask' });
    const [cleaned] = toRecords([withIsland], { outputMode: 'binary_mask', minMaskRegionArea: 100 });
    expect(kept.area).toBeGreaterThan(maskArea(base));
    expect(cleaned.area).toBe(maskArea(base));
    expect(maskIou(cleaned.segmentation, base)).toBe(1);
  });
});
