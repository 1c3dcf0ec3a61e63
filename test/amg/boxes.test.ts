import { describe, expect, it } from 'vitest';
import { batchedNms, boxIouXyxy, nonMaxSuppression } from '../../core/masks/nonMaxSuppression';
import { boxXyxyToXywh, boxXywhToXyxy } from '../../core/masks/boxXyxyToXywh';
import { isBoxNearCropEdge } from '../../core/amg/isBoxNearCropEdge';
import { uncropBoxesXyxy, uncropMasks, uncropPoints } from '../../core/masks/uncrop';
import type { BoxXyxy } from '../../core/types';

describe('boxIouXyxy', () => {
  it('matches hand-computed overlaps', () => {
    expect(boxIouXyxy([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(boxIouXyxy([0, 0, 10, 10], [1, 1, 11, 11])).toBeCloseTo(81 / 119, 12);
    expect(boxIouXyxy([0, 0, 10, 10], [10, 0, 20, 10])).toBe(0);
    expect(boxIouXyxy([0, 0, 0, 0], [0, 0, 0, 0])).toBe(0);
  });
});

describe('nonMaxSuppression (torchvision semantics)', () => {
  const boxes: BoxXyxy[] = [
    [0, 0, 10, 10], // A 0.9
    [1, 1, 11, 11], // B 0.8: IoU(A) = 81/119 = 0.68, IoU(C) = 72/118 = 0.61
    [0, 0, 10, 9], //  C 0.95: IoU(A) = 90/100 = 0.9
  ];
  it('keeps the best box and suppresses IoU above the threshold, in score order', () => {
    expect(nonMaxSuppression(boxes, [0.9, 0.8, 0.95], 0.7)).toEqual([2, 1]);
    expect(nonMaxSuppression(boxes, [0.9, 0.8, 0.95], 0.65)).toEqual([2, 1]);
    expect(nonMaxSuppression(boxes, [0.9, 0.8, 0.95], 0.6)).toEqual([2]);
    expect(nonMaxSuppression(boxes, [0.9, 0.8, 0.95], 0.95)).toEqual([2, 0, 1]);
  });
  it('an IoU exactly at the threshold is not suppressed (strict >)', () => {
    expect(
      nonMaxSuppression(
        [
          [0, 0, 2, 1],
          [0, 0, 1, 1],
        ],
        [1, 0.5],
        0.5,
      ),
    ).toEqual([0, 1]);
  });
  it('empty input gives no indices', () => {
    expect(nonMaxSuppression([], [], 0.7)).toEqual([]);
  });
  it('rejects mismatched scores', () => {
    expect(() => nonMaxSuppression(boxes, [1], 0.5)).toThrow(/3 boxes but 1 scores/);
  });
});

describe('batchedNms', () => {
  it('boxes in different categories never suppress each other', () => {
    const b: BoxXyxy[] = [
      [0, 0, 10, 10],
      [0, 0, 10, 10],
      [0, 0, 10, 10],
    ];
    expect(batchedNms(b, [0.5, 0.9, 0.7], [0, 1, 0], 0.5)).toEqual([1, 2]);
    expect(batchedNms(b, [0.5, 0.9, 0.7], [0, 0, 0], 0.5)).toEqual([1]);
  });
});

describe('box formats and uncropping', () => {
  it('XYXY ↔ XYWH round trip', () => {
    expect(boxXyxyToXywh([3, 4, 10, 20])).toEqual([3, 4, 7, 16]);
    expect(boxXywhToXyxy(boxXyxyToXywh([3, 4, 10, 20]))).toEqual([3, 4, 10, 20]);
  });
  it('uncrop shifts boxes and points by the crop origin', () => {
    expect(uncropBoxesXyxy([[1, 2, 3, 4]], [10, 20, 50, 60])).toEqual([[11, 22, 13, 24]]);
    expect(uncropPoints([[1, 2]], [10, 20, 50, 60])).toEqual([[11, 22]]);
  });
  it('uncropMasks zero-pads the crop into the original frame', () => {
    const m = { width: 2, height: 2, data: new Uint8Array([1, 0, 1, 1]) };
    const out = uncropMasks(m, [1, 1, 3, 3], 3, 4);
    expect(out.width).toBe(4);
    expect(out.height).toBe(3);
    expect(Array.from(out.data)).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0]);
    expect(uncropMasks(m, [0, 0, 2, 2], 2, 2)).toBe(m);
    expect(() => uncropMasks(m, [0, 0, 3, 3], 4, 4)).toThrow(/crop box/);
  });
  it('isBoxNearCropEdge ignores crop edges that are image edges', () => {
    const crop: BoxXyxy = [232, 0, 600, 268];
    const orig: BoxXyxy = [0, 0, 600, 400];
    expect(isBoxNearCropEdge([0, 50, 100, 100], crop, orig)).toBe(true); // left edge x=232 is inside the image
    expect(isBoxNearCropEdge([50, 50, 100, 100], crop, orig)).toBe(false);
    expect(isBoxNearCropEdge([50, 0, 100, 100], crop, orig)).toBe(false); // top y=0 is the image's top
    expect(isBoxNearCropEdge([50, 50, 368, 100], crop, orig)).toBe(false); // right x=600 is the image's right
    expect(isBoxNearCropEdge([50, 50, 100, 248], crop, orig)).toBe(true); // bottom 248 within 20 of 268
    expect(isBoxNearCropEdge([50, 50, 100, 247], crop, orig)).toBe(false); // 21 px away
  });
});
