import type { BinaryMask, BoxXyxy } from '../types';
import { SamflowError } from '../errors';

/** SAM's `uncrop_boxes_xyxy`: shift boxes from crop coordinates to image coordinates. */
export function uncropBoxesXyxy(boxes: readonly BoxXyxy[], cropBox: BoxXyxy): BoxXyxy[] {
  const [x0, y0] = cropBox;
  return boxes.map((b) => [b[0] + x0, b[1] + y0, b[2] + x0, b[3] + y0] as const);
}

/** SAM's `uncrop_points`: shift [x, y] points from crop coordinates to image coordinates. */
export function uncropPoints(points: ReadonlyArray<readonly [number, number]>, cropBox: BoxXyxy): Array<readonly [number, number]> {
  const [x0, y0] = cropBox;
  return points.map((p) => [p[0] + x0, p[1] + y0] as const);
}

/**
 * SAM's `uncrop_masks`: place a mask predicted in `cropBox` into an all-zero mask of the original
 * size (zero padding). Returns the input unchanged when the crop is the whole image.
 */
export function uncropMasks(mask: BinaryMask, cropBox: BoxXyxy, origH: number, origW: number): BinaryMask {
  const [x0, y0, x1, y1] = cropBox;
  if (x0 === 0 && y0 === 0 && x1 === origW && y1 === origH) return mask;
  if (mask.width !== x1 - x0 || mask.height !== y1 - y0) {
    throw new SamflowError(
      'BAD_OPTION',
      `uncropMasks: mask is ${mask.width}x${mask.height} but crop box [${cropBox.join(', ')}] is ${x1 - x0}x${y1 - y0}; pass the mask predicted in that crop`,
    );
  }
  const data = new Uint8Array(origW * origH); // uint8[origH, origW]
  for (let y = 0; y < mask.height; y++) {
    data.set(mask.data.subarray(y * mask.width, (y + 1) * mask.width), (y + y0) * origW + x0);
  }
  return { width: origW, height: origH, data };
}
