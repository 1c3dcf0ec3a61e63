import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { compressRle, maskToRle, rleToMask } from '../../core/masks';
import type { BinaryMask, CompressedRle, MaskRecord } from '../../core/types';
import { FakeDetector } from './support/FakeDetector';
import { FakeSamModel } from './support/FakeSamModel';
import { catchNode, distDetectorLoader, distModelLoader, distNode, helper, nextMessage } from './support/redHelper';

const nodes = ['sam-model', 'sam-encoder', 'sam-grid', 'sam-stability', 'sam-nms', 'sam-boxes-to-prompts', 'sam-detector', 'sam-everything', 'sam-instances', 'sam-render'].map(
  distNode,
);
nodes.push(catchNode);

const catcher = [
  { id: 'c', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
  { id: 'caught', type: 'helper' },
];

function png(w: number, h: number): Promise<Buffer> {
  return sharp({ create: { width: w, height: h, channels: 3, background: { r: 90, g: 90, b: 90 } } })
    .png()
    .toBuffer();
}

function record(predicted_iou: number, stability_score: number, bbox: [number, number, number, number]): MaskRecord {
  return { segmentation: { size: [10, 10], counts: '0' }, area: bbox[2] * bbox[3], bbox, predicted_iou, point_coords: [], stability_score, crop_box: [0, 0, 10, 10] };
}

async function caughtMessage(): Promise<string> {
  return ((await nextMessage(helper.getNode('caught'))).error as { message: string }).message;
}

function boxIou(m: BinaryMask, x0: number, y0: number, x1: number, y1: number): number {
  let inter = 0;
  let union = 0;
  for (let y = 0; y < m.height; y++)
    for (let x = 0; x < m.width; x++) {
      const a = m.data[y * m.width + x];
      const b = x >= x0 && x < x1 && y >= y0 && y < y1 ? 1 : 0;
      inter += a & b;
      union += a | b;
    }
  return inter / union;
}

describe('stage nodes', () => {
  const loader = distModelLoader();
  const detLoader = distDetectorLoader();
  const realLoad = loader.load;
  const realDetLoad = detLoader.load;
  let model: FakeSamModel;
  let detector: FakeDetector;

  beforeAll(() => helper.startServer());
  afterAll(() => helper.stopServer());
  beforeEach(() => {
    model = new FakeSamModel();
    loader.load = async () => model;
    detector = new FakeDetector([
      { bbox: [20, 10, 60, 40], class: 'cat', score: 0.6 },
      { bbox: [120, 50, 40, 30], class: 'dog', score: 0.3 },
      { bbox: [150, 5, 20, 20], class: 'cat', score: 0.05 },
    ]);
    detLoader.load = async () => detector;
  });
  afterEach(async () => {
    await helper.unload();
    loader.load = realLoad;
    detLoader.load = realDetLoad;
  });

  it('sam-grid: a 2×2 grid over a 200×100 image puts clicks at the cell centres', async () => {
    await helper.load(nodes, [{ id: 'g', type: 'sam-grid', pointsPerSide: '2', wires: [['o']] }, { id: 'o', type: 'helper' }, ...catcher]);
    const out = nextMessage(helper.getNode('o'));
    helper.getNode('g').receive({ embedding: { modelId: 'x', frameId: 'f', width: 200, height: 100 } });
    const prompts = (await out).prompts as Array<{ points: Array<{ x: number; y: number; label: number }> }>;
    expect(prompts.map((p) => p.points[0])).toEqual([
      { x: 50, y: 25, label: 1 },
      { x: 150, y: 25, label: 1 },
      { x: 50, y: 75, label: 1 },
      { x: 150, y: 75, label: 1 },
    ]);
    const caught = caughtMessage();
    helper.getNode('g').receive({ payload: 'no handle' });
    expect(await caught).toMatch(/msg\.embedding: missing/);
  });

  it('sam-grid: a bad pointsPerSide reaches Catch', async () => {
    await helper.load(nodes, [{ id: 'g', type: 'sam-grid', pointsPerSide: '0', wires: [[]] }, ...catcher]);
    const caught = caughtMessage();
    helper.getNode('g').receive({ embedding: { modelId: 'x', frameId: 'f', width: 200, height: 100 } });
    expect(await caught).toMatch(/pointsPerSide: expected a whole number in \[1, 256\]/);
  });

  it('sam-stability: keeps predicted_iou > predIouThresh and stability_score >= stabilityScoreThresh', async () => {
    await helper.load(nodes, [{ id: 's', type: 'sam-stability', predIouThresh: '0.88', stabilityScoreThresh: '0.95', wires: [['o']] }, { id: 'o', type: 'helper' }, ...catcher]);
    const masks = [record(0.9, 0.95, [0, 0, 1, 1]), record(0.88, 0.99, [0, 0, 1, 1]), record(0.99, 0.94, [0, 0, 1, 1]), record(0.95, 1, [0, 0, 1, 1])];
    const out = nextMessage(helper.getNode('o'));
    helper.getNode('s').receive({ masks });
    expect((await out).masks).toEqual([masks[0], masks[3]]);
    const caught = caughtMessage();
    helper.getNode('s').receive({ masks: [{ area: 3 }] });
    expect(await caught).toMatch(/msg\.masks\[0\]: expected an SA-1B record/);
  });

  it('sam-nms: drops a box overlapping a better one by IoU > boxNmsThresh, best first', async () => {
    await helper.load(nodes, [{ id: 'n', type: 'sam-nms', boxNmsThresh: '0.7', wires: [['o']] }, { id: 'o', type: 'helper' }, ...catcher]);
    // b overlaps a with IoU 90/110 = 0.818 (> 0.7); c overlaps a with IoU 50/150 = 0.333
    const a = record(0.9, 1, [0, 0, 10, 10]);
    const b = record(0.95, 1, [1, 0, 9, 10]);
    const c = record(0.8, 1, [5, 0, 10, 10]);
    const out = nextMessage(helper.getNode('o'));
    helper.getNode('n').receive({ masks: [a, b, c] });
    expect((await out).masks).toEqual([b, c]);
    const caught = caughtMessage();
    helper.getNode('n').receive({});
    expect(await caught).toMatch(/msg\.masks: sam-nms expects the array/);
  });

  it('sam-boxes-to-prompts: coco-ssd boxes → XYXY box prompts with class and score, filtered', async () => {
    await helper.load(nodes, [{ id: 'b', type: 'sam-boxes-to-prompts', classes: 'cat, dog', minScore: '0.1', wires: [['o']] }, { id: 'o', type: 'helper' }, ...catcher]);
    const out = nextMessage(helper.getNode('o'));
    helper.getNode('b').receive({
      payload: [
        { bbox: [10, 20, 30, 40], class: 'dog', score: 0.5 },
        { bbox: [0, 0, 5, 5], class: 'person', score: 0.9 },
        { bbox: [1, 2, 3, 4], class: 'cat', score: 0.05 },
        { bbox: [50, 50, 10, 10], class: 'cat', score: 0.7 },
      ],
    });
    const prompts = (await out).prompts as Array<{ box: number[]; meta: { class: string; score: number } }>;
    expect(prompts.map((p) => [p.box, p.meta.class, p.meta.score])).toEqual([
      [[50, 50, 60, 60], 'cat', 0.7],
      [[10, 20, 40, 60], 'dog', 0.5],
    ]);
    const caught = caughtMessage();
    helper.getNode('b').receive({ detections: [{ bbox: [1, 2] }] });
    expect(await caught).toMatch(/./);
    const caught2 = caughtMessage();
    helper.getNode('b').receive({ payload: 'cats' });
    expect(await caught2).toMatch(/msg\.payload: expected an array of detections/);
  });

  it('sam-detector: msg.detections from the detector; released once on close', async () => {
    await helper.load(nodes, [{ id: 'd', type: 'sam-detector', classes: 'cat', minScore: '0.1', wires: [['o']] }, { id: 'o', type: 'helper' }, ...catcher]);
    const out = nextMessage(helper.getNode('o'));
    helper.getNode('d').receive({ payload: await png(200, 100) });
    expect((await out).detections).toEqual([{ bbox: [20, 10, 60, 40], class: 'cat', score: 0.6 }]);
    const caught = caughtMessage();
    helper.getNode('d').receive({ payload: 12 });
    expect(await caught).toMatch(/msg\.payload: expected an image/);
    await helper.unload();
    expect(detector.releaseCalls).toBe(1);
  });

  it('sam-everything: a 2×2 grid on the fake model gives one disc per grid point', async () => {
    await helper.load(nodes, [
      { id: 'm', type: 'sam-model', cacheSize: 2 },
      { id: 'e', type: 'sam-everything', model: 'm', pointsPerSide: '2', wires: [['o']] },
      { id: 'o', type: 'helper' },
      ...catcher,
    ]);
    const out = nextMessage(helper.getNode('o'));
    helper.getNode('e').receive({ payload: await png(200, 100) });
    const msg = await out;
    const masks = msg.masks as MaskRecord[];
    expect(masks).toHaveLength(4);
    const centres = masks.map((m) => [m.bbox[0] + m.bbox[2] / 2, m.bbox[1] + m.bbox[3] / 2]).sort((p, q) => p[1] - q[1] || p[0] - q[0]);
    const expected = [
      [50, 25],
      [150, 25],
      [50, 75],
      [150, 75],
    ];
    centres.forEach((c, i) => {
      expect(Math.abs(c[0] - expected[i][0])).toBeLessThan(1.5);
      expect(Math.abs(c[1] - expected[i][1])).toBeLessThan(1.5);
    });
    expect(msg.embedding).toMatchObject({ modelId: 'fake-sam', width: 200, height: 100 });
    expect(model.decoderRuns).toBe(4);
    const caught = caughtMessage();
    helper.getNode('e').receive({ payload: null });
    expect(await caught).toMatch(/msg\.payload: expected an image/);
  });

  it('sam-render draws on the frame sam-encoder cached: the image file is not read again', async () => {
    await helper.load(nodes, [
      { id: 'm', type: 'sam-model', cacheSize: 2 },
      { id: 'e', type: 'sam-encoder', model: 'm', wires: [['o']] },
      { id: 'r', type: 'sam-render', alpha: 1, outline: false, showPrompts: false, format: 'png', wires: [['o']] },
      { id: 'o', type: 'helper' },
      ...catcher,
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), 'samflow-render-'));
    const file = path.join(dir, 'frame.png');
    writeFileSync(file, await png(200, 100));
    const encoded = nextMessage(helper.getNode('o'));
    helper.getNode('e').receive({ payload: file });
    const { embedding } = await encoded;
    rmSync(dir, { recursive: true }); // a second decode of msg.payload would now fail
    const square: BinaryMask = { width: 200, height: 100, data: new Uint8Array(200 * 100) };
    for (let y = 20; y < 40; y++) square.data.fill(1, y * 200 + 30, y * 200 + 60);
    const out = nextMessage(helper.getNode('o'));
    helper.getNode('r').receive({ payload: file, embedding, masks: [{ segmentation: compressRle(maskToRle(square)) }] });
    const { data, info } = await sharp((await out).payload as Buffer)
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([200, 100]);
    const px = (x: number, y: number): number[] => Array.from(data.subarray((y * 200 + x) * info.channels, (y * 200 + x) * info.channels + 3));
    expect(px(0, 0)).toEqual([90, 90, 90]);
    expect(px(45, 30)).not.toEqual([90, 90, 90]);
    // without the cached frame (another image id) the missing file is reported
    const caught = caughtMessage();
    helper.getNode('r').receive({ payload: file, embedding: { ...(embedding as Record<string, unknown>), frameId: 'other' }, masks: [] });
    expect(await caught).toMatch(/frame\.png/);
  });

  it('instance masks: detector boxes → one mask per instance with class, matching the box', async () => {
    await helper.load(nodes, [
      { id: 'm', type: 'sam-model', cacheSize: 2 },
      { id: 'i', type: 'sam-instances', model: 'm', classes: 'cat,dog', minScore: '0.1', wires: [['o']] },
      { id: 'o', type: 'helper' },
      ...catcher,
    ]);
    const out = nextMessage(helper.getNode('o'));
    helper.getNode('i').receive({ payload: await png(200, 100) });
    const msg = await out;
    const masks = msg.masks as Array<{ class: string; score: number; segmentation: CompressedRle }>;
    expect(masks.map((m) => [m.class, m.score])).toEqual([
      ['cat', 0.6],
      ['dog', 0.3],
    ]);
    expect(boxIou(rleToMask(masks[0].segmentation), 20, 10, 80, 50)).toBeGreaterThan(0.9);
    expect(boxIou(rleToMask(masks[1].segmentation), 120, 50, 160, 80)).toBeGreaterThan(0.9);
    expect((msg.detections as unknown[]).length).toBe(2);
    await helper.unload();
    expect(detector.releaseCalls).toBe(1);
    expect(model.releaseCalls).toBe(1);
  });
});
