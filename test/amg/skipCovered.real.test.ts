/**
 * skipCovered and promptBoxes with the real default model. The photo test needs ../shared/data
 * (skips cleanly without it, fails under CI): skipCovered on a real photo must find the exhaustive
 * 32×32 masks (recall >= 0.95 at mask IoU >= 0.9) with far fewer decoder runs.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../core/image';
import { loadSamModel } from '../../core/model/loadSamModel';
import type { SamModel } from '../../core/model/SamModel';
import { generateMasks } from '../../core/amg/generateMasks';
import type { AmgRecord } from '../../core/records';
import type { BoxXyxy, Frame } from '../../core/types';
import { iou, renderScene, shapeMask, type Shape } from '../support/syntheticScene';
import { sharedDataDir } from '../support/sharedData';
import { maskRecall } from '../../bench/amg';
import { recordMask } from '../support/recordMask';

let model: SamModel;
beforeAll(async () => {
  model = await loadSamModel({ decoderWorkers: 2 });
}, 120_000);
afterAll(async () => {
  await model?.release();
});

const recall = (reference: readonly AmgRecord[], got: readonly AmgRecord[]): number => maskRecall(reference.map(recordMask), got.map(recordMask));
/** generateMasks, and how many decoder runs it took. */
const counted = async (frame: Frame, opts: Parameters<typeof generateMasks>[2]): Promise<{ records: AmgRecord[]; decoded: number }> => {
  let decoded = 0;
  const records = await generateMasks(model, frame, { ...opts, onProgress: (p) => (decoded = p.decoded) });
  return { records, decoded };
};

describe.skipIf(!sharedDataDir)('skipCovered on a real photo (32×32 grid, 3 masks per point)', () => {
  it('finds >= 95% of the exhaustive masks with at most 40% of the decoder runs', async () => {
    const frame = await decodeImage(path.join(sharedDataDir ?? '', 'photos', 'opencv-doc', 'HappyFish.jpg'));
    const exhaustive = await counted(frame, { pointsPerSide: 32 });
    const fast = await counted(frame, { pointsPerSide: 32, skipCovered: true });
    expect(exhaustive.decoded).toBe(1024);
    expect(exhaustive.records.length).toBeGreaterThan(5);
    expect(fast.decoded).toBeLessThanOrEqual(0.4 * 1024);
    expect(recall(exhaustive.records, fast.records)).toBeGreaterThanOrEqual(0.95);
  }, 1_800_000); // ~1 min on an idle 2-core machine; far longer on a busy one
});

describe('promptBoxes with the real model on a synthetic scene', () => {
  const shapes: Shape[] = [
    { kind: 'circle', cx: 110, cy: 110, r: 65, color: '#2060e0' },
    { kind: 'rect', x: 260, y: 50, w: 130, h: 110, color: '#e0a020' },
    { kind: 'circle', cx: 330, cy: 250, r: 50, color: '#20b040' },
  ];
  const W = 480;
  const H = 320;
  it('box prompts yield their objects (records say meta.promptBox); the grid inside them is not decoded', async () => {
    const frame = await decodeImage(await renderScene(W, H, shapes), { id: 'shapes-boxes' });
    const boxes: BoxXyxy[] = [
      [40, 40, 180, 180],
      [255, 45, 395, 165],
    ];
    const plain = await counted(frame, { pointsPerSide: 8 });
    const withBoxes = await counted(frame, { pointsPerSide: 8, promptBoxes: boxes });
    expect(withBoxes.decoded).toBeLessThan(plain.decoded);
    const truths = shapes.map((s) => shapeMask(W, H, s));
    // every shape is found once; a mask from box i is shape i (NMS may prefer a grid point's twin)
    for (const t of truths) expect(withBoxes.records.filter((r) => iou(recordMask(r), t) > 0.9)).toHaveLength(1);
    const fromBoxes = withBoxes.records.filter((r) => typeof r.meta?.['promptBox'] === 'number');
    expect(fromBoxes.length).toBeGreaterThan(0);
    for (const r of fromBoxes) expect(iou(recordMask(r), truths[r.meta?.['promptBox'] as number])).toBeGreaterThan(0.9);
  }, 300_000);
});
