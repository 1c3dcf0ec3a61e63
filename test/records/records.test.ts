import { describe, expect, it } from 'vitest';
import {
  candidateRecord,
  candidateToMask,
  decompressRle,
  isCompressedRle,
  maskArea,
  maskRecordFields,
  rleToMask,
  SamTransform,
  toRecords,
  type BinaryMask,
  type MaskCandidate,
} from '../../core';

// A 512x384 image: model frame 1024x768, low-res pixel = 2x2 original pixels.
const T = new SamTransform(512, 384, 1024);

/** A candidate whose low-res logits are positive on the square [x0,x1)x[y0,y1), with a click in it. */
function candidate(sq: readonly [number, number, number, number]): MaskCandidate {
  const l = new Float32Array(256 * 256).fill(-8); // float32[256*256]
  for (let y = sq[1]; y < sq[3]; y++) for (let x = sq[0]; x < sq[2]; x++) l[y * 256 + x] = 8;
  return {
    lowResLogits: l,
    predictedIou: 0.91,
    prompt: { points: [{ x: sq[0] * 2 + 3, y: sq[1] * 2 + 5, label: 1 }], meta: { class: 'square' } },
    transform: T,
    maskIndex: 2,
    frameId: 'f',
  };
}

const same = (a: BinaryMask, b: BinaryMask) => a.width === b.width && a.height === b.height && a.data.every((v, i) => v === b.data[i]);

describe('records: one SA-1B record builder', () => {
  it('maskRecordFields writes the same mask in every output mode', () => {
    const mask = candidateToMask(candidate([10, 20, 60, 50]));
    const coco = maskRecordFields(mask);
    const raw = maskRecordFields(mask, 'uncompressed_rle');
    const bin = maskRecordFields(mask, 'binary_mask');
    expect(isCompressedRle(coco.segmentation)).toBe(true);
    expect(same(rleToMask(coco.segmentation), mask)).toBe(true);
    expect(same(rleToMask(decompressRle(coco.segmentation)), rleToMask(raw.segmentation))).toBe(true);
    expect(bin.segmentation).toBe(mask);
    for (const f of [coco, raw, bin]) {
      expect(f.area).toBe(maskArea(mask));
      // the square [10,60)x[20,50) of the 2x low-res grid is [20,120)x[40,100) in pixels, ±1 at the bilinear edge
      expect(Math.abs(f.bbox[0] - 20)).toBeLessThanOrEqual(1);
      expect(Math.abs(f.bbox[1] - 40)).toBeLessThanOrEqual(1);
      expect(Math.abs(f.bbox[2] - 100)).toBeLessThanOrEqual(2);
      expect(Math.abs(f.bbox[3] - 60)).toBeLessThanOrEqual(2);
    }
  });

  it('candidateRecord is the record toRecords writes for a whole-image candidate', () => {
    const c = candidate([10, 20, 60, 50]);
    const [viaBatch] = toRecords([c], { polygons: true });
    const one = candidateRecord(c, { polygons: true });
    expect(one).toEqual(viaBatch);
    expect(one.point_coords).toEqual([[23, 45]]);
    expect(one.crop_box).toEqual([0, 0, 512, 384]);
    expect(one.predicted_iou).toBe(0.91);
    expect(one.stability_score).toBe(1); // logits ±8: the mask does not move with the threshold
    expect(one.meta).toEqual({ class: 'square' });
    expect(one.polygons?.length).toBe(1);
  });

  it('a candidate predicted in a crop lands at its place in the image', () => {
    // the crop [100,50)..[356,242) of the image: a 256x192 frame whose own transform maps it to 1024x768
    const inCrop: MaskCandidate = { ...candidate([10, 20, 60, 50]), transform: new SamTransform(256, 192, 1024), cropBox: [100, 50, 256, 192] };
    const [r] = toRecords([inCrop], { imageSize: { width: 512, height: 384 } });
    if (!isCompressedRle(r.segmentation)) throw new Error('expected COCO RLE');
    expect(r.segmentation.size).toEqual([384, 512]);
    expect(r.crop_box).toEqual([100, 50, 256, 192]);
    // low-res square [10,60)x[20,50) at 1 px per low-res pixel in the crop → [110,160)x[70,100) in the image
    expect(Math.abs(r.bbox[0] - 110)).toBeLessThanOrEqual(1);
    expect(Math.abs(r.bbox[1] - 70)).toBeLessThanOrEqual(1);
    expect(r.point_coords[0][0]).toBe(100 + 23);
  });
});
