import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/args';
import type { CliIo } from '../../cli/CliCommand';
import { run as text } from '../../cli/text';
import { decompressRle, rleArea } from '../../core/masks';
import { writeTinyClip } from './tinyClip';
import { hasSharedData, sharedDataRoot } from '../support/sharedData';

const chelsea = path.join(sharedDataRoot, 'photos/python3-skimage/chelsea.png');
const hasChelsea = hasSharedData('photos/python3-skimage/chelsea.png');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'samflow-text-cli-'));
const clipDir = path.join(root, 'clip');
writeTinyClip(clipDir);

function capture(): CliIo & { out: string } {
  const io = { out: '', stdout: (s: string) => void (io.out += s), stderr: () => undefined };
  return io;
}

describe('samflow text', () => {
  it('needs an image and a text; a missing CLIP folder is named before any SAM work', async () => {
    await expect(text(['only-image.png'], capture())).rejects.toThrowError(UsageError);
    await expect(text(['x.png', 'a cat', '--candidates', 'all'], capture())).rejects.toThrowError(/--candidates must be detector or everything/);
    await expect(text(['x.png', 'a cat', '--points-per-side', '8'], capture())).rejects.toThrowError(/--points-per-side goes with --candidates everything/);
    const missing = path.join(root, 'no-clip');
    await expect(text(['/nonexistent.png', 'a cat', '--clip', missing], capture())).rejects.toThrowError(
      new RegExp(`CLIP model folder ${missing} does not exist.*Xenova/clip-vit-base-patch32`),
    );
  });

  it.skipIf(!hasChelsea)('ranks the detector instances of the skimage cat and prints the JSON contract', async () => {
    const overlay = path.join(root, 'overlay.png');
    const io = capture();
    expect(await text([chelsea, 'red', '--clip', clipDir, '--top', '2', '--json', '--overlay', overlay], io)).toBe(0);
    const json = JSON.parse(io.out) as {
      width: number;
      height: number;
      text: string;
      candidates: string;
      masks: { similarity: number; segmentation: { size: [number, number]; counts: string }; area: number; class?: string }[];
    };
    expect([json.width, json.height, json.text, json.candidates]).toEqual([451, 300, 'red', 'detector']);
    expect(json.masks.length).toBeGreaterThanOrEqual(1);
    expect(json.masks.length).toBeLessThanOrEqual(2);
    for (let i = 1; i < json.masks.length; i++) expect(json.masks[i - 1].similarity).toBeGreaterThanOrEqual(json.masks[i].similarity);
    for (const m of json.masks) expect(rleArea(decompressRle(m.segmentation))).toBe(m.area);
    expect(fs.existsSync(overlay)).toBe(true);
  });

  it.skipIf(!hasChelsea)('ranks SAM automatic masks with --candidates everything (4x4 grid)', async () => {
    const io = capture();
    expect(await text([chelsea, 'blue', '--clip', clipDir, '--candidates', 'everything', '--points-per-side', '4', '--top', '3', '--json'], io)).toBe(0);
    const json = JSON.parse(io.out) as { candidates: string; masks: { similarity: number; predicted_iou: number; class?: string }[] };
    expect(json.candidates).toBe('everything');
    expect(json.masks.length).toBeGreaterThanOrEqual(1);
    expect(json.masks.length).toBeLessThanOrEqual(3);
    for (let i = 1; i < json.masks.length; i++) expect(json.masks[i - 1].similarity).toBeGreaterThanOrEqual(json.masks[i].similarity);
    // automatic masks passed SAM's predicted-IoU filter (0.88) and carry no detector class
    for (const m of json.masks) {
      expect(m.predicted_iou).toBeGreaterThan(0.88);
      expect(m.class).toBeUndefined();
    }
  });
});
