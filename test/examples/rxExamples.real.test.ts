/**
 * The RxJS examples in examples/rx, compiled by `npm run build`, run as a user would run them
 * (node dist/examples/rx/<name>.js …) on the repo's synthetic sample and checked for the shapes.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { maskIou as iou, rleToMask } from '../../core/masks';
import type { BinaryMask, MaskRecord } from '../../core/types';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');
const dist = path.join(repoRoot, 'dist', 'examples', 'rx');
const sample = path.join(repoRoot, 'flows', 'assets', 'sample.png');
const built = fs.existsSync(path.join(dist, 'clickToMask.js'));

/** The sample's shapes (flows/assets/makeSample.js), 320×240. */
function shape(inside: (x: number, y: number) => boolean): BinaryMask {
  const data = new Uint8Array(320 * 240);
  for (let y = 0; y < 240; y++) for (let x = 0; x < 320; x++) data[y * 320 + x] = inside(x, y) ? 1 : 0;
  return { width: 320, height: 240, data };
}
const disc = shape((x, y) => (x - 90) ** 2 + (y - 120) ** 2 <= 2500);
const square = shape((x, y) => x >= 170 && x < 250 && y >= 60 && y < 140);

describe.skipIf(!built)('examples/rx (compiled)', () => {
  it('clickToMask: a click on the disc writes an overlay whose changed pixels are the disc', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'samflow-rx-')), 'overlay.png');
    const { stdout } = await run(process.execPath, [path.join(dist, 'clickToMask.js'), sample, '90', '120', out]);
    expect(stdout).toMatch(/predicted IoU \d/);
    const [a, b] = await Promise.all([sample, out].map((f) => sharp(f).removeAlpha().raw().toBuffer({ resolveWithObject: true })));
    expect(b.info.width).toBe(320);
    expect(b.info.height).toBe(240);
    // pixels the overlay tinted (mask fill and outline) against the disc
    const changed = new Uint8Array(320 * 240);
    for (let i = 0; i < changed.length; i++) {
      let d = 0;
      for (let c = 0; c < 3; c++) d += Math.abs(a.data[i * 3 + c] - b.data[i * 3 + c]);
      changed[i] = d > 12 ? 1 : 0;
    }
    expect(iou({ width: 320, height: 240, data: changed }, disc)).toBeGreaterThan(0.85);
  });

  it('segmentEverything: one JSON line per image with SA-1B records covering the disc and the square', async () => {
    const { stdout } = await run(process.execPath, [path.join(dist, 'segmentEverything.js'), path.dirname(sample), '8']);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { image: string; width: number; height: number; annotations: MaskRecord[] });
    expect(lines).toHaveLength(1);
    expect(lines[0].width).toBe(320);
    const masks = lines[0].annotations.map((r) => rleToMask(r.segmentation));
    expect(Math.max(...masks.map((m) => iou(m, disc)))).toBeGreaterThan(0.9);
    expect(Math.max(...masks.map((m) => iou(m, square)))).toBeGreaterThan(0.9);
  });
});
