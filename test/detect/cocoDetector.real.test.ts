import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxIouXywh, loadCocoDetector, nodeModuleResolver, type CocoDetector } from '../../core/detect';
import { chelsea, dataDir, frameFromFile, hasChelsea, hasData } from './dataDir';

describe('loadCocoDetector (real centernet model, wasm)', () => {
  let detector: CocoDetector;
  beforeAll(async () => {
    detector = await loadCocoDetector();
  });
  afterAll(() => detector?.release());

  it('falls back to the wasm backend here (tfjs-node is not installed)', () => {
    expect(detector.backend).toBe('wasm');
  });

  it("takes the tfjs-node branch under 'auto' when a resolver finds it (here it cannot load: a clear error)", async () => {
    const pretend = (id: string) => (id === '@tensorflow/tfjs-node' ? '/pretend/tfjs-node/index.js' : nodeModuleResolver(id));
    await expect(loadCocoDetector({ resolveModule: pretend })).rejects.toThrowError(/@tensorflow\/tfjs-node is installed but does not load/);
    // and the wasm detector loaded before still works afterwards
    expect(detector.released).toBe(false);
  });

  it('names a missing model file', async () => {
    await expect(loadCocoDetector({ modelPath: '/nonexistent/centernet.json' })).rejects.toThrowError(/\/nonexistent\/centernet.json does not exist/);
  });

  it.skipIf(!hasChelsea)('calls the skimage cat a cat (letterboxed input keeps its shape)', async () => {
    const frame = await frameFromFile(chelsea);
    const dets = await detector.detect(frame);
    expect(dets.length).toBeGreaterThan(0);
    expect(dets[0].class).toBe('cat');
    // The cat fills most of the 451x300 photo.
    const [x, y, w, h] = dets[0].bbox;
    expect(w * h).toBeGreaterThan(0.5 * frame.width * frame.height);
    expect(x).toBeGreaterThanOrEqual(0);
    expect(y + h).toBeLessThanOrEqual(frame.height);
  });

  it.skipIf(!hasData)('finds the COCO cats where the ground-truth boxes are', async () => {
    const list = JSON.parse(fs.readFileSync(path.join(dataDir, 'coco-cats/instances.json'), 'utf8')) as {
      image: string;
      instances: { bbox_xywh: [number, number, number, number] }[];
    }[];
    for (const item of list) {
      const frame = await frameFromFile(path.join(dataDir, 'coco-cats', item.image));
      const cats = await detector.detect(frame, { classes: ['cat'] });
      for (const gt of item.instances) {
        const best = Math.max(0, ...cats.map((d) => boxIouXywh(d.bbox, gt.bbox_xywh)));
        expect(best, item.image).toBeGreaterThan(0.7);
      }
    }
  });
});
