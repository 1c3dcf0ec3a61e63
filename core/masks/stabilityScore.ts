import { SamflowError } from '../errors';

/** The part of a row-major logits map to count over: the top-left `validWidth × validHeight` of a `width × height` map. */
export interface StabilityRegion {
  readonly width: number;
  readonly height: number;
  readonly validWidth: number;
  readonly validHeight: number;
}

/**
 * SAM's stability score (`calculate_stability_score` in segment-anything `utils/amg.py`): the IoU
 * between the mask binarised at `maskThreshold + offset` and at `maskThreshold − offset`. Since the
 * first is a subset of the second, that is `count(logits > t + o) / count(logits > t − o)`.
 *
 * With `region`, only the top-left `validWidth × validHeight` pixels of the `width × height` map are
 * counted — e.g. the un-padded area of a 256×256 low-res map (`transform.lowResValid`), so that the
 * zero padding never counts. When no pixel is above `t − o`, SAM divides 0 by 0 (NaN); samflow
 * returns 0 instead, so an empty mask is never "stable".
 *
 * @param logits Mask logits (row-major).
 * @param maskThreshold Binarisation threshold (SAM: 0).
 * @param offset `stabilityScoreOffset` (SAM: 1.0).
 * @param region Optional region to count over (default: the whole array).
 * @returns A score in [0, 1].
 */
export function stabilityScore(logits: Float32Array, maskThreshold: number, offset: number, region?: StabilityRegion): number {
  if (!(logits instanceof Float32Array)) {
    throw new SamflowError('BAD_OPTION', 'stabilityScore: logits must be a Float32Array.');
  }
  if (!Number.isFinite(maskThreshold) || !Number.isFinite(offset)) {
    throw new SamflowError('BAD_OPTION', `stabilityScore: maskThreshold and offset must be finite numbers, got ${maskThreshold} and ${offset}.`);
  }
  const hi = maskThreshold + offset;
  const lo = maskThreshold - offset;
  let inter = 0;
  let union = 0;
  if (region === undefined) {
    for (let i = 0; i < logits.length; i++) {
      const v = logits[i];
      if (v > lo) {
        union++;
        if (v > hi) inter++;
      }
    }
  } else {
    const { width, height, validWidth, validHeight } = region;
    if (width * height !== logits.length || !(validWidth >= 0 && validWidth <= width && validHeight >= 0 && validHeight <= height)) {
      throw new SamflowError(
        'BAD_OPTION',
        `stabilityScore: region ${validWidth}x${validHeight} of ${width}x${height} does not fit logits of length ${logits.length}; ` +
          'width*height must equal the length and the valid area must lie inside.',
      );
    }
    for (let y = 0; y < validHeight; y++) {
      for (let i = y * width, end = i + validWidth; i < end; i++) {
        const v = logits[i];
        if (v > lo) {
          union++;
          if (v > hi) inter++;
        }
      }
    }
  }
  return union === 0 ? 0 : inter / union;
}
