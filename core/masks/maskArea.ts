import type { BinaryMask } from '../types';
import { assertBinaryMask } from './assertBinaryMask';

/**
 * Number of inside (non-zero) pixels of a mask.
 *
 * @param mask Row-major binary mask.
 */
export function maskArea(mask: BinaryMask): number {
  assertBinaryMask(mask, 'maskArea: mask');
  const data = mask.data;
  let area = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) area++;
  return area;
}
