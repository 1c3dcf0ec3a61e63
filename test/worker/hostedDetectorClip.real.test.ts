import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCocoDetector } from '../../core/detect';
import { loadClipModel } from '../../core/text';
import { dataDir, frameFromFile } from '../detect/dataDir';
import { writeTinyClip } from '../text/tinyClip';

const chelsea = path.join(dataDir, 'photos/python3-skimage/chelsea.png');
const skipWithoutData = !fs.existsSync(chelsea) && process.env['CI'] !== '1';

describe('the COCO detector on a worker thread (default) vs in-thread', () => {
  it.skipIf(skipWithoutData)('gives the same detections, keeps the event loop live, and release ends the worker', async () => {
    const frame = await frameFromFile(chelsea);
    const [hosted, inThread] = await Promise.all([loadCocoDetector(), loadCocoDetector({ inProcess: true })]);
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      const got = await hosted.detect(frame, { minScore: 0.05 });
      clearInterval(timer);
      const want = await inThread.detect(frame, { minScore: 0.05 });
      expect(got.length).toBeGreaterThan(0);
      expect(got).toEqual(want);
      expect(ticks).toBeGreaterThanOrEqual(5);
    } finally {
      await Promise.all([hosted.release(), inThread.release()]);
    }
    expect(hosted.released).toBe(true);
    await expect(hosted.detect(frame)).rejects.toMatchObject({ code: 'MODEL_RELEASED' });
  });
});

describe('the CLIP towers on a worker thread (default) vs in-thread', () => {
  it('gives the same text and image embeddings', async () => {
    const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'samflow-clip-host-')), 'tiny-clip');
    writeTinyClip(folder, { imageSize: 32 });
    const [hosted, inThread] = await Promise.all([loadClipModel(folder, { batchSize: 2 }), loadClipModel(folder, { batchSize: 2, inProcess: true })]);
    try {
      const texts = ['a red cat', 'blue', 'green'];
      expect((await hosted.embedTexts(texts)).map((r) => [...r])).toEqual((await inThread.embedTexts(texts)).map((r) => [...r]));
      const S = hosted.imageSpec.size;
      const images = [0.1, -0.4, 0.7].map((v) => Float32Array.from({ length: 3 * S * S }, (_, i) => Math.sin(i * v))); // float32[3,S,S]
      const got = await hosted.embedImages(images);
      expect(got).toHaveLength(3);
      expect(got.map((r) => [...r])).toEqual((await inThread.embedImages(images)).map((r) => [...r]));
    } finally {
      await Promise.all([hosted.release(), inThread.release()]);
    }
    await expect(hosted.embedTexts(['a cat'])).rejects.toMatchObject({ code: 'MODEL_RELEASED' });
  });
});
