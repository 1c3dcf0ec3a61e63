import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { runSamJob } from '../../core/cluster/runSamJob';
import { generateMasks } from '../../core/amg/generateMasks';
import { decodeImage } from '../../core/image/decodeImage';
import { loadSamModel } from '../../core/model/loadSamModel';
import type { SamModel } from '../../core/model/SamModel';
import { rleToMask } from '../../core/masks/rleToMask';
import type { AmgRecord } from '../../core/records';
import type { CompressedRle } from '../../core/types';
import { iou, renderScene, shapeMask, type Shape } from '../support/syntheticScene';

// Every task a worker runs, on the real model, as the same core functions give locally.
const disc: Shape = { kind: 'circle', cx: 90, cy: 100, r: 55, color: '#2060e0' };
const square: Shape = { kind: 'rect', x: 200, y: 50, w: 100, h: 100, color: '#e0a020' };
let model: SamModel;
let image: Buffer;
const amg = { pointsPerSide: 4, predIouThresh: 0.5, stabilityScoreThresh: 0.5 };

beforeAll(async () => {
  model = await loadSamModel({ threads: 1 });
  image = await renderScene(360, 220, [disc, square]);
});
afterAll(() => model?.release());

describe('runSamJob (what a worker does with a job)', () => {
  it('segment: one record per mask, the box prompt finds the square (IoU > 0.8), meta.promptIndex names the prompt', async () => {
    const out = await runSamJob(model, {
      id: 's',
      task: 'segment',
      prompts: [{ points: [{ x: 60, y: 60, label: 1 }] }, { box: [196, 46, 304, 154] }],
      options: { multimask: false },
      image,
    });
    expect([out.width, out.height]).toEqual([360, 220]);
    const recs = out.records as AmgRecord<CompressedRle>[];
    expect(recs.map((r) => r.meta?.promptIndex)).toEqual([0, 1]);
    expect(iou(rleToMask(recs[1].segmentation), shapeMask(360, 220, square))).toBeGreaterThan(0.8);
  });

  it('everything and proposals: the records generateMasks gives here; proposals ranked by score', async () => {
    const out = await runSamJob(model, { id: 'e', task: 'everything', options: amg, image });
    const local = await generateMasks(model, await decodeImage(image), { ...amg, outputMode: 'coco_rle' });
    expect(out.records).toEqual(local);
    // object-aware prompting travels too: the square's box first, then the grid outside its mask
    const boxed = { ...amg, promptBoxes: [[196, 46, 304, 154]] as [number, number, number, number][] };
    const outBoxed = await runSamJob(model, { id: 'eb', task: 'everything', options: boxed, image });
    expect(outBoxed.records).toEqual(await generateMasks(model, await decodeImage(image), { ...boxed, outputMode: 'coco_rle' }));
    const fromBox = (outBoxed.records as AmgRecord<CompressedRle>[]).filter((r) => r.meta?.promptBox === 0);
    expect(fromBox).toHaveLength(1);
    expect(iou(rleToMask(fromBox[0].segmentation), shapeMask(360, 220, square))).toBeGreaterThan(0.8);
    await expect(
      runSamJob(model, { id: 'ex', task: 'everything', options: { ...amg, promptBoxes: [[0, 0, 10]] as unknown as [number, number, number, number][] }, image }),
    ).rejects.toMatchObject({
      code: 'BAD_OPTION',
    });
    const p = await runSamJob(model, { id: 'p', task: 'proposals', options: { ...amg, maxProposals: 3 }, image });
    const scores = (p.records as readonly { score: number }[]).map((r) => r.score);
    expect(scores.length).toBeGreaterThan(0);
    expect(scores.length).toBeLessThanOrEqual(3);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('edges: an 8-bit PNG edge map of the image size; instances with given boxes keep their order', async () => {
    const e = await runSamJob(model, { id: 'g', task: 'edges', options: { pointsPerSide: 4 }, image });
    const meta = await sharp(Buffer.from(e.edgeMap!)).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 360, 220, 1]);
    const i = await runSamJob(model, {
      id: 'i',
      task: 'instances',
      detections: [
        { box: [196, 46, 304, 154], class: 'box', score: 0.9 },
        { box: [30, 40, 150, 160], class: 'disc', score: 0.8 },
      ],
      image,
    });
    const recs = i.records as readonly { class?: string; segmentation: CompressedRle }[];
    expect(recs.map((r) => r.class)).toEqual(['box', 'disc']);
    expect(iou(rleToMask(recs[1].segmentation), shapeMask(360, 220, disc))).toBeGreaterThan(0.8);
  });

  it('a bad image, a prompt outside the image: SamflowError codes the worker answers at once', async () => {
    await expect(runSamJob(model, { id: 'b', task: 'everything', image: Buffer.from('nope'), source: 'x.png' })).rejects.toMatchObject({ code: 'BAD_IMAGE' });
    await expect(runSamJob(model, { id: 'b', task: 'segment', prompts: [{ box: [0, 0, 5000, 10] }], image })).rejects.toMatchObject({ code: 'BAD_PROMPT' });
  });
});
