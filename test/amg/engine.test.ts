import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { annotateFolder, type AmgCocoInstances } from '../../core/annotate/annotateFolder';
import { computeEdgeMap, edgeNonMaxSuppression } from '../../core/amg/generateEdgeMap';
import { generateProposals } from '../../core/amg/generateProposals';
import { rleToMask, maskIou, rleArea } from '../../core/masks';
import { ColorRegionModel } from './ColorRegionModel';
import { BLUE, GREEN, RED, H, W, rectMask, sceneFrame, scenePng } from './scene';

const regions = [{ rgb: RED.rgb }, { rgb: GREEN.rgb }, { rgb: BLUE.rgb }];

describe('annotateFolder (data engine)', () => {
  it('interrupted after the first image, resumed, holds every image once with valid annotations', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'samflow-engine-'));
    const folder = path.join(dir, 'images');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'a.png'), await scenePng([RED, GREEN]));
    writeFileSync(path.join(folder, 'b.png'), await scenePng([BLUE]));
    writeFileSync(path.join(folder, 'notes.txt'), 'not an image');
    const out = path.join(dir, 'coco.json');

    // first run: abort as soon as the second image starts
    const model = new ColorRegionModel(regions);
    const ac = new AbortController();
    await expect(
      annotateFolder(model, folder, {
        out,
        pointsPerSide: 4,
        signal: ac.signal,
        onProgress: (p) => {
          if (p.file === 'b.png') ac.abort();
        },
      }),
    ).rejects.toThrow();
    const partial = JSON.parse(readFileSync(out, 'utf8')) as AmgCocoInstances;
    expect(partial.images.map((i) => i.file_name)).toEqual(['a.png']);
    expect(partial.annotations).toHaveLength(2);

    // resume: a.png is skipped (no decoder runs for it), b.png is added
    const model2 = new ColorRegionModel(regions);
    const sa1bDir = path.join(dir, 'sa1b');
    const res = await annotateFolder(model2, folder, { out, resume: true, pointsPerSide: 4, sa1bDir });
    expect(res).toEqual({ imagesAnnotated: 1, imagesSkipped: 1, imagesFailed: 0, annotations: 3 });
    expect(model2.decoderRuns).toBe(16);
    const coco = JSON.parse(readFileSync(out, 'utf8')) as AmgCocoInstances;
    expect(coco.images.map((i) => [i.id, i.file_name, i.width, i.height])).toEqual([
      [1, 'a.png', W, H],
      [2, 'b.png', W, H],
    ]);
    expect(coco.categories).toEqual([{ id: 1, name: 'object' }]);
    expect(new Set(coco.annotations.map((a) => a.id)).size).toBe(3);
    const bAnn = coco.annotations.filter((a) => a.image_id === 2);
    expect(bAnn).toHaveLength(1);
    expect(maskIou(rleToMask(bAnn[0].segmentation), rectMask(BLUE))).toBeGreaterThan(0.95);
    for (const a of coco.annotations) {
      expect(rleArea(a.segmentation)).toBe(a.area);
      expect(a).toMatchObject({ iscrowd: 0, category_id: 1 });
      expect(a.score).toBe(a.predicted_iou);
    }
    expect(readdirSync(sa1bDir)).toEqual(['b.png.json']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // resume again: nothing to do, output unchanged
    const model3 = new ColorRegionModel(regions);
    const again = await annotateFolder(model3, folder, { out, resume: true, pointsPerSide: 4 });
    expect(again.imagesAnnotated).toBe(0);
    expect(model3.decoderRuns).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(coco);
  });

  it('an unreadable image is reported and skipped; a missing folder is a SamflowError', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'samflow-engine-'));
    writeFileSync(path.join(dir, 'broken.png'), 'not a png');
    writeFileSync(path.join(dir, 'ok.png'), await scenePng([RED]));
    const errors: string[] = [];
    const out = path.join(dir, 'out.json');
    const res = await annotateFolder(new ColorRegionModel(regions), dir, { out, pointsPerSide: 4, onImageError: (f) => errors.push(f) });
    expect(errors).toEqual(['broken.png']);
    expect(res.imagesFailed).toBe(1);
    expect(existsSync(out)).toBe(true);
    await expect(annotateFolder(new ColorRegionModel(regions), path.join(dir, 'nope'), { out })).rejects.toThrow(/not a readable folder/);
  });
});

describe('edge map', () => {
  it("edges lie on the shapes' outlines and nowhere inside or far outside", async () => {
    const frame = await sceneFrame([RED, BLUE]);
    const e = await computeEdgeMap(new ColorRegionModel(regions), frame, { pointsPerSide: 8 });
    expect(e.maskCount).toBe(2);
    expect([e.width, e.height]).toEqual([W, H]);
    const at = (x: number, y: number): number => e.data[y * W + x];
    // strongest response within 3 px of RED's left edge (x = 40) on its middle row
    const row = RED.y + RED.h / 2;
    let best = 0;
    for (let x = 35; x <= 45; x++) best = Math.max(best, at(x, row));
    expect(best).toBeGreaterThan(100);
    expect(at(RED.x + 80, row)).toBe(0); // inside the shape
    expect(at(300, 20)).toBe(0); // background away from shapes
    let max = 0;
    for (const v of e.data) max = Math.max(max, v);
    expect(max).toBe(255);
  });

  it('edgeNonMaxSuppression keeps the ridge of a horizontal gradient (hand-made 5x1 profile)', () => {
    const mag = new Float32Array([1, 3, 5, 3, 1]);
    const gx = new Float32Array([1, 1, 1, 1, 1]);
    const gy = new Float32Array(5);
    expect(Array.from(edgeNonMaxSuppression(mag, gx, gy, 5, 1))).toEqual([0, 0, 5, 0, 0]);
  });
});

describe('generateProposals', () => {
  it('ranks boxes of the shapes by predicted IoU x stability, capped by maxProposals', async () => {
    const frame = await sceneFrame([RED, GREEN, BLUE]);
    const props = await generateProposals(new ColorRegionModel(regions), frame, { pointsPerSide: 8 });
    expect(props).toHaveLength(3);
    for (let i = 1; i < props.length; i++) expect(props[i - 1].score).toBeGreaterThanOrEqual(props[i].score);
    const boxes = props.map((p) => p.box);
    // SAM's inclusive box of RED is [40, 40, 199, 159]; the fake's masks are 4-model-pixel blocks, so allow 3 px
    const red = [RED.x, RED.y, RED.x + RED.w - 1, RED.y + RED.h - 1];
    expect(boxes.filter((b) => b.every((v, i) => Math.abs(v - red[i]) <= 3))).toHaveLength(1);
    expect(await generateProposals(new ColorRegionModel(regions), frame, { pointsPerSide: 8, maxProposals: 2 })).toHaveLength(2);
  });
});
