import type { BinaryMask } from '../types';
import { assertBinaryMask, assertSameSize } from './assertBinaryMask';

/**
 * Number of pixels inside both masks (they must have the same size).
 *
 * @param a First mask.
 * @param b Second mask.
 */
export function maskIntersection(a: BinaryMask, b: BinaryMask): number {
  assertBinaryMask(a, 'maskIntersection: a');
  assertBinaryMask(b, 'maskIntersection: b');
  assertSameSize(a, b, 'maskIntersection');
  const da = a.data;
  const db = b.data;
  let n = 0;
  for (let i = 0; i < da.length; i++) if (da[i] !== 0 && db[i] !== 0) n++;
  return n;
}
