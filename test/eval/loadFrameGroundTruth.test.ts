import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadFrameGroundTruth } from '../../core/eval/loadFrameGroundTruth';
import type { Frame } from '../../core/types';

describe('loadFrameGroundTruth', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samflow-gt-'));
  const frame = (width: number, height: number): Frame => ({ id: 'f', width, height, rgb: new Uint8Array(width * height * 3) });

  it('reads > 127 as the object when the mask has the frame size', async () => {
    const pixels = Buffer.from([0, 128, 255, 127, 200, 0]); // uint8[2,3]
    const file = path.join(dir, 'ok.png');
    await sharp(pixels, { raw: { width: 3, height: 2, channels: 1 } })
      .png()
      .toFile(file);
    const gt = await loadFrameGroundTruth(file, frame(3, 2), 'img.jpg');
    expect([...gt.data]).toEqual([0, 1, 1, 0, 1, 0]);
  });

  it('names the mask, both sizes and the image when they differ', async () => {
    const file = path.join(dir, 'small.png');
    await sharp(Buffer.alloc(4), { raw: { width: 2, height: 2, channels: 1 } })
      .png()
      .toFile(file);
    await expect(loadFrameGroundTruth(file, frame(3, 2), 'img.jpg')).rejects.toThrow(`${file}: ground truth is 2x2 but the image img.jpg is 3x2; masks must match their images`);
  });
});
