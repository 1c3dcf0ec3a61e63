import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../core/image';
import { loadSamModel } from '../../core/model/loadSamModel';
import type { SamModel } from '../../core/model/SamModel';
import { generateMasks } from '../../core/amg/generateMasks';
import { encodeImage } from '../../core/model/encodeImage';
import type { AmgRecord } from '../../core/records';
import { rleArea } from '../../core/masks';
import type { EmbeddedFrame, Frame } from '../../core/types';
import { iou, renderScene, shapeMask, type Shape } from '../support/syntheticScene';
import { recordMask } from '../support/recordMask';

// three separated shapes on the textured background (real model, small grid to stay fast).
// The model returns one shape twice from different clicks, once with a few stray pixels far away
// (so its box differs and box NMS keeps both, as in SAM); minMaskRegionArea removes the specks and
// the NMS after it (preferring unchanged masks) drops the duplicate, as SAM's postprocessing does.
const shapes: Shape[] = [
  { kind: 'circle', cx: 110, cy: 110, r: 65, color: '#2060e0' },
  { kind: 'rect', x: 260, y: 50, w: 130, h: 110, color: '#e0a020' },
  { kind: 'circle', cx: 330, cy: 250, r: 50, color: '#20b040' },
];
const W = 480;
const H = 320;

let model: SamModel;
let frame: Frame;
let embedded: EmbeddedFrame;
beforeAll(async () => {
  model = await loadSamModel();
  frame = await decodeImage(await renderScene(W, H, shapes), { id: 'shapes' });
  embedded = await encodeImage(model, frame);
}, 120_000);
afterAll(async () => {
  await model?.release();
});

function expectEachShapeOnce(records: readonly AmgRecord[]): void {
  for (const s of shapes) {
    const truth = shapeMask(W, H, s);
    const ious = records.map((r) => iou(recordMask(r), truth));
    expect(ious.filter((v) => v >= 0.9)).toHaveLength(1); // found, and no duplicate survived NMS
  }
  for (const r of records) expect(rleArea(r.segmentation as never)).toBe(r.area);
}

describe('generateMasks with the real model on a synthetic scene', () => {
  it('exhaustive 8x8 grid: each shape exactly once', async () => {
    let decoded = 0;
    const records = await generateMasks(model, frame, { pointsPerSide: 8, minMaskRegionArea: 100, embedded, onProgress: (p) => (decoded = p.decoded) });
    expect(decoded).toBe(64);
    expectEachShapeOnce(records);
  }, 180_000);

  it('skipCovered 8x8: the same shapes with fewer decoder runs', async () => {
    let decoded = 0;
    const records = await generateMasks(model, frame, {
      pointsPerSide: 8,
      minMaskRegionArea: 100,
      embedded,
      skipCovered: true,
      onProgress: (p) => (decoded = p.decoded),
    });
    expect(decoded).toBeLessThan(64);
    expectEachShapeOnce(records);
  }, 180_000);
});
