import type { BinaryMask } from '../types';
import { assertBinaryMask, assertSameSize } from './assertBinaryMask';

/**
 * Intersection over union of two same-size masks. Two empty masks give 0 (not NaN), so an empty
 * prediction never counts as a match.
 *
 * @param a First mask.
 * @param b Second mask.
 * @returns |a ∩ b| / |a ∪ b| in [0, 1].
 */
export function maskIou(a: BinaryMask, b: BinaryMask): number {
  assertBinaryMask(a, 'maskIou: a');
  assertBinaryMask(b, 'maskIou: b');
  assertSameSize(a, b, 'maskIou');
  const da = a.data;
  const db = b.data;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < da.length; i++) {
    const va = da[i] !== 0;
    const vb = db[i] !== 0;
    if (va || vb) {
      union++;
      if (va && vb) inter++;
    }
  }
  return union === 0 ? 0 : inter / union;
}
