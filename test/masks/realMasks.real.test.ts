import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compressRle, maskArea, maskIou, maskToBoxXywh, maskToPolygons, maskToRle, pngToMask, removeSmallRegions, rleArea, rleToBoxXywh, rleToMask } from '../../core/masks';
import { rasterize } from './helpers';
import { hasSharedData, sharedDataRoot } from '../support/sharedData';

const cocoDir = path.join(sharedDataRoot, 'coco-cats');
const hasData = hasSharedData('coco-cats/instances.json');

interface CocoCatsEntry {
  readonly image: string;
  readonly instances: ReadonlyArray<{ readonly mask: string; readonly bbox_xywh: readonly number[] }>;
}

describe.skipIf(!hasData)('mask utilities on real COCO cat masks (../shared/data/coco-cats)', () => {
  const entries: CocoCatsEntry[] = hasData ? (JSON.parse(fs.readFileSync(path.join(cocoDir, 'instances.json'), 'utf8')) as CocoCatsEntry[]) : [];

  it("boxes match COCO's own bbox with the 'coco' convention; RLE round-trips; polygons rasterise back", async () => {
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      for (const inst of e.instances) {
        const mask = await pngToMask(path.join(cocoDir, inst.mask));
        expect(maskToBoxXywh(mask, { convention: 'coco' })).toEqual(inst.bbox_xywh);
        const [x, y, w, h] = inst.bbox_xywh;
        expect(maskToBoxXywh(mask)).toEqual([x, y, w - 1, h - 1]);
        const c = compressRle(maskToRle(mask));
        expect(rleArea(c)).toBe(maskArea(mask));
        expect(rleToBoxXywh(c, { convention: 'coco' })).toEqual(inst.bbox_xywh);
        expect(Buffer.compare(rleToMask(c).data, mask.data)).toBe(0);
        const cleaned = removeSmallRegions(removeSmallRegions(mask, 100, 'holes').mask, 100, 'islands').mask;
        expect(maskIou(cleaned, mask)).toBeGreaterThan(0.98);
        // polygons: exact without simplification, close with the default 1 px tolerance
        expect(maskIou(rasterize(maskToPolygons(mask, { tolerance: 0 }), mask.width, mask.height), mask)).toBe(1);
        expect(maskIou(rasterize(maskToPolygons(mask), mask.width, mask.height), mask)).toBeGreaterThanOrEqual(0.98);
      }
    }
  });
});
