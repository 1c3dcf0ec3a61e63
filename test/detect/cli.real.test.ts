import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/args';
import type { CliIo } from '../../cli/CliCommand';
import { run as detect } from '../../cli/detect';
import { run as instances } from '../../cli/instances';
import { SamflowError } from '../../core/errors';
import { decompressRle, maskIou, pngToMask, rleToMask } from '../../core/masks';
import { chelsea, hasChelsea } from './dataDir';

function capture(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (s: string) => {
      io.out += s;
    },
    stderr: (s: string) => {
      io.err += s;
    },
  };
  return io;
}

describe('samflow detect / instances: usage errors', () => {
  it('rejects unknown classes, bad backends and missing images with a clear message', async () => {
    await expect(detect([], capture())).rejects.toThrowError(UsageError);
    await expect(detect(['x.png', '--backend', 'gpu'], capture())).rejects.toThrowError(/--backend must be one of auto, wasm, cpu, tfjs-node/);
    await expect(detect(['x.png', '--min-score', '3'], capture())).rejects.toThrowError(/--min-score must be <= 1/);
    await expect(instances(['x.png', '--box-jitter', '0.9'], capture())).rejects.toThrowError(UsageError);
    await expect(detect(['/nonexistent/cat.png'], capture())).rejects.toThrowError(SamflowError);
    await expect(detect(['/nonexistent/cat.png', '--classes', 'cat,kitty'], capture())).rejects.toThrowError(/unknown class name\(s\) "kitty"/);
  });
});

describe.skipIf(!hasChelsea)('samflow detect / instances on the skimage cat (real models)', () => {
  it('detect --json prints coco-ssd detections with the cat first; an unknown class is a SamflowError', async () => {
    const io = capture();
    expect(await detect([chelsea, '--classes', 'cat,dog', '--json'], io)).toBe(0);
    const dets = JSON.parse(io.out) as { bbox: number[]; class: string; score: number }[];
    expect(dets[0].class).toBe('cat');
    expect(dets[0].bbox).toHaveLength(4);
    expect(dets.every((d) => d.class === 'cat' || d.class === 'dog')).toBe(true);
    await expect(detect([chelsea, '--classes', 'kitty'], capture())).rejects.toThrowError(/unknown class name\(s\) "kitty"/);
  });

  it('instances --json --out-dir --overlay writes the issue JSON, one PNG per instance equal to its RLE, and an overlay', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samflow-instances-'));
    const overlay = path.join(dir, 'overlay.png');
    const io = capture();
    expect(await instances([chelsea, '--classes', 'cat', '--json', '--out-dir', dir, '--overlay', overlay], io)).toBe(0);
    const json = JSON.parse(io.out) as {
      width: number;
      height: number;
      instances: { class: string; score: number; box: number[]; segmentation: { size: [number, number]; counts: string }; area: number; bbox: number[]; predicted_iou: number }[];
    };
    expect(Object.keys(json)).toEqual(['width', 'height', 'instances']);
    expect([json.width, json.height]).toEqual([451, 300]);
    expect(json.instances.length).toBeGreaterThanOrEqual(1);
    const cat = json.instances[0];
    expect(Object.keys(cat)).toEqual(['class', 'score', 'box', 'segmentation', 'area', 'bbox', 'predicted_iou']);
    expect(cat.class).toBe('cat');
    expect(cat.segmentation.size).toEqual([300, 451]);
    // The cat fills much of the photo, but not all of it.
    expect(cat.area).toBeGreaterThan(0.25 * 451 * 300);
    expect(cat.area).toBeLessThan(0.95 * 451 * 300);
    const fromRle = rleToMask(decompressRle(cat.segmentation));
    const fromPng = await pngToMask(path.join(dir, '0-cat.png'));
    expect(maskIou(fromRle, fromPng)).toBe(1);
    expect(fs.statSync(overlay).size).toBeGreaterThan(1000);
  });
});
