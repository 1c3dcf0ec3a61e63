import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { rleToMask, rleArea } from '../../core/masks';
import type { CompressedRle } from '../../core/types';
import { runCli } from '../support/runCli';
import { iou, renderScene, shapeMask, type Shape } from '../support/syntheticScene';

const tmp = mkdtempSync(path.join(tmpdir(), 'samflow-amg-cli-'));
const scene = path.join(tmp, 'scene.png');
const disc: Shape = { kind: 'circle', cx: 90, cy: 100, r: 55, color: '#2060e0' };
const square: Shape = { kind: 'rect', x: 200, y: 50, w: 110, h: 110, color: '#e0a020' };

beforeAll(async () => {
  writeFileSync(scene, await renderScene(360, 220, [disc, square]));
});

describe('samflow everything / edges / annotate: bad usage exits 2 naming the flag', () => {
  const cases: Array<[string[], RegExp]> = [
    [['everything', 'x.png', '--points-per-side', '0'], /--points-per-side/],
    [['everything', 'x.png', '--points-per-side', '-4'], /--points-per-side/],
    [['everything', 'x.png', '--points-per-side', 'abc'], /--points-per-side must be a number/],
    [['everything', 'x.png', '--points-per-side', '2.5'], /--points-per-side must be an integer/],
    [['everything', 'x.png', '--points-per-batch', '0'], /--points-per-batch/],
    [['everything', 'x.png', '--crop-layers', '-1'], /--crop-layers/],
    [['everything', 'x.png', '--pred-iou-thresh', '1.5'], /--pred-iou-thresh must be <= 1/],
    [['everything', 'x.png', '--stability-thresh', '-0.1'], /--stability-thresh must be >= 0/],
    [['everything', 'x.png', '--box-nms-thresh', 'high'], /--box-nms-thresh must be a number/],
    [['everything', 'x.png', '--stability-offset', '-1'], /--stability-offset/],
    [['everything', 'x.png', '--min-region-area', '-5'], /--min-region-area/],
    [['everything', 'x.png', '--skip-similarity', '2'], /--skip-similarity/],
    [['everything', 'x.png', '--bogus'], /unknown option --bogus/],
    [['everything'], /exactly one image/],
    [['edges', 'x.png'], /--out/],
    [['edges', 'x.png', '--out', 'e.png', '--points-per-side', '0'], /--points-per-side/],
    [['annotate', 'folder'], /--out/],
    [['annotate', 'folder', '--out', 'c.json', '--pred-iou-thresh', '7'], /--pred-iou-thresh/],
  ];
  for (const [argv, re] of cases) {
    it(argv.join(' '), async () => {
      const r = await runCli(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(re);
    });
  }

  it('a missing image exits 1 with a message naming it', async () => {
    const r = await runCli(['everything', path.join(tmp, 'missing.png')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('missing.png');
  });
});

describe('samflow everything and edges with the real model', () => {
  it('everything writes masks.json per the contract and an overlay; each shape once', async () => {
    const out = path.join(tmp, 'masks.json');
    const overlay = path.join(tmp, 'overlay.png');
    const r = await runCli(['everything', scene, '--points-per-side', '6', '--out', out, '--overlay', overlay]);
    expect(r.stderr).toMatch(/everything: \d+ masks, 36 decoder runs/);
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8')) as {
      image: { width: number; height: number; file_name: string };
      annotations: Array<{
        id: number;
        segmentation: CompressedRle;
        area: number;
        bbox: number[];
        predicted_iou: number;
        point_coords: number[][];
        stability_score: number;
        crop_box: number[];
        meta: { gridIndex: number; maskIndex: number };
      }>;
    };
    expect(json.image).toEqual({ width: 360, height: 220, file_name: 'scene.png' });
    expect(json.annotations.length).toBeGreaterThan(0);
    for (const [i, a] of json.annotations.entries()) {
      expect(Object.keys(a).sort()).toEqual(['area', 'bbox', 'crop_box', 'id', 'meta', 'point_coords', 'predicted_iou', 'segmentation', 'stability_score'].sort());
      // the grid point (6×6 grid, SAM's cell centres) and the mask token (1–3) the mask came from
      expect(a.meta.gridIndex).toBeGreaterThanOrEqual(0);
      expect(a.meta.gridIndex).toBeLessThan(36);
      const [gx, gy] = [(((a.meta.gridIndex % 6) + 0.5) / 6) * 360, ((Math.floor(a.meta.gridIndex / 6) + 0.5) / 6) * 220];
      expect(a.point_coords[0][0]).toBeCloseTo(gx, 3);
      expect(a.point_coords[0][1]).toBeCloseTo(gy, 3);
      expect([1, 2, 3]).toContain(a.meta.maskIndex);
      expect(a.id).toBe(i + 1);
      expect(a.segmentation.size).toEqual([220, 360]);
      expect(rleArea(a.segmentation)).toBe(a.area);
      expect(a.crop_box).toEqual([0, 0, 360, 220]);
      expect(a.predicted_iou).toBeGreaterThan(0.88);
      expect(a.stability_score).toBeGreaterThanOrEqual(0.95);
      expect(a.point_coords).toHaveLength(1);
    }
    for (const s of [disc, square]) {
      const truth = shapeMask(360, 220, s);
      expect(json.annotations.filter((a) => iou(rleToMask(a.segmentation), truth) >= 0.9)).toHaveLength(1);
    }
    const meta = await sharp(readFileSync(overlay)).metadata();
    expect([meta.width, meta.height]).toEqual([360, 220]);
  }, 180_000);

  it("everything --detector-boxes prompts the COCO detector's boxes first, then the grid", async () => {
    const out = path.join(tmp, 'masks-boxes.json');
    const r = await runCli(['everything', scene, '--points-per-side', '6', '--detector-boxes', '--min-score', '0.05', '--out', out]);
    expect(r.code).toBe(0);
    const m = /everything: (\d+) detector boxes as prompts/.exec(r.stderr);
    expect(m).not.toBeNull();
    const boxes = Number(m?.[1]);
    const runs = Number(/(\d+) decoder runs/.exec(r.stderr)?.[1]);
    expect(runs).toBeGreaterThanOrEqual(boxes);
    expect(runs).toBeLessThanOrEqual(boxes + 36);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { annotations: Array<{ segmentation: CompressedRle; meta: { promptBox?: number; gridIndex?: number } }> };
    // each mask says which box (index into the detector's boxes) or grid point it came from
    for (const a of json.annotations) expect(a.meta.promptBox !== undefined ? a.meta.promptBox < boxes : (a.meta.gridIndex ?? -1) >= 0).toBe(true);
    for (const s of [disc, square]) {
      const truth = shapeMask(360, 220, s);
      expect(json.annotations.filter((a) => iou(rleToMask(a.segmentation), truth) >= 0.9)).toHaveLength(1);
    }
  }, 300_000);

  it('edges writes an 8-bit single-channel PNG with edges on the disc outline', async () => {
    const out = path.join(tmp, 'edges.png');
    const r = await runCli(['edges', scene, '--out', out, '--points-per-side', '6']);
    expect(r.code).toBe(0);
    const meta = await sharp(readFileSync(out)).metadata();
    expect([meta.width, meta.height, meta.channels, meta.depth]).toEqual([360, 220, 1, 'uchar']);
    const { data } = await sharp(readFileSync(out)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    // along the disc's middle row, the strongest response near x = 35 (left rim) within 4 px
    const row = 100 * 360;
    let bestX = 0;
    for (let x = 0; x < 80; x++) if (data[row + x] > data[row + bestX]) bestX = x;
    expect(Math.abs(bestX - 35)).toBeLessThanOrEqual(4);
    expect(data[row + 90]).toBeLessThan(40); // centre of the disc: no edge
  }, 180_000);

  it('annotate writes a COCO JSON for the folder and --resume skips what is done', async () => {
    const { mkdirSync } = await import('node:fs');
    const folder = path.join(tmp, 'folder');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'one.png'), readFileSync(scene));
    const out = path.join(tmp, 'coco.json');
    const first = await runCli(['annotate', folder, '--out', out, '--points-per-side', '3']);
    expect(first.stderr).toMatch(/1 images annotated, 0 already done/);
    expect(first.code).toBe(0);
    const coco = JSON.parse(readFileSync(out, 'utf8')) as {
      images: Array<{ file_name: string }>;
      annotations: Array<{ image_id: number; segmentation: CompressedRle; area: number }>;
    };
    expect(coco.images.map((i) => i.file_name)).toEqual(['one.png']);
    for (const a of coco.annotations) expect(rleArea(a.segmentation)).toBe(a.area);
    const again = await runCli(['annotate', folder, '--out', out, '--resume', '--points-per-side', '3']);
    expect(again.stderr).toMatch(/0 images annotated, 1 already done/);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(coco);
  }, 180_000);
});
