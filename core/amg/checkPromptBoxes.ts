import { SamflowError } from '../errors';
import { checkLimit, describeValue, DEFAULT_LIMITS } from '../limits';
import type { BoxXyxy } from '../types';

/**
 * Validates generateMasks' `promptBoxes` against the image before anything is decoded: at most
 * `maxPromptsPerMessage` boxes, each 4 finite numbers [x0, y0, x1, y1] with x1 > x0, y1 > y0 inside
 * the image. Throws SamflowError('BAD_OPTION') naming the box; returns the boxes ([] when absent).
 */
export function checkPromptBoxes(boxes: unknown, image: { readonly width: number; readonly height: number }): readonly BoxXyxy[] {
  if (boxes === undefined) return [];
  if (!Array.isArray(boxes)) {
    throw new SamflowError('BAD_OPTION', `AMG option promptBoxes must be an array of [x0, y0, x1, y1] boxes in image pixels, got ${describeValue(boxes)}`, 'promptBoxes');
  }
  checkLimit('AMG option promptBoxes: number of boxes', boxes.length, DEFAULT_LIMITS.maxPromptsPerMessage, 'maxPromptsPerMessage', 'BAD_OPTION');
  boxes.forEach((b: unknown, i) => {
    if (!Array.isArray(b) || b.length !== 4 || !b.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new SamflowError('BAD_OPTION', `AMG promptBoxes[${i}] must be 4 finite numbers [x0, y0, x1, y1], got ${describeValue(b)}`, 'promptBoxes');
    }
    const [x0, y0, x1, y1] = b as number[];
    if (!(x1 > x0 && y1 > y0)) throw new SamflowError('BAD_OPTION', `AMG promptBoxes[${i}] [${b.join(', ')}]: need x1 > x0 and y1 > y0 (XYXY corners)`, 'promptBoxes');
    if (x0 < 0 || y0 < 0 || x1 > image.width || y1 > image.height) {
      throw new SamflowError('BAD_OPTION', `AMG promptBoxes[${i}] [${b.join(', ')}] is outside the ${image.width}x${image.height} image; clip it to the image`, 'promptBoxes');
    }
  });
  return boxes as readonly BoxXyxy[];
}
