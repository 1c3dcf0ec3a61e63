import type { PointPrompt } from '../types';
import { SamflowError } from '../errors';
import { squaredDistanceTransform } from './distanceTransform';
import type { GroundTruthMask } from './GroundTruthMask';

/** A click of the standard protocol, with how far inside its error region it lies. */
export interface ProtocolClick extends PointPrompt {
  /** Euclidean distance from the click to the boundary of the error region it was placed in. */
  readonly errorDistance: number;
}

/**
 * The standard interactive-segmentation click (RITM's `Clicker._get_next_click`, used by
 * SimpleClick and most later work): compute the false-negative map (object, not predicted) and the
 * false-positive map (background, predicted), both without ignored pixels, pad each with one ring
 * of background, take the exact Euclidean distance transform, and click at the maximum of the
 * larger one: a positive click in the false negatives when their maximum distance is strictly
 * larger, else a negative click in the false positives. Ties go to the first pixel in row-major
 * order; pixels already clicked are never clicked again. With no prediction yet, the first click
 * lands at the object's interior point farthest from its boundary.
 *
 * @param gt ground truth (object + ignored pixels)
 * @param pred uint8[height*width] current prediction (non-zero = inside), or undefined before the first click
 * @param clicked pixels already clicked (uint8[height*width], 1 = clicked), updated by the caller
 * @returns the click, or undefined when there is no error pixel left to click
 */
export function nextClick(gt: GroundTruthMask, pred: Uint8Array | undefined, clicked?: Uint8Array): ProtocolClick | undefined {
  const { width, height, object, ignore } = gt;
  const n = width * height;
  if (pred && pred.length !== n) {
    throw new SamflowError(
      'BAD_OPTION',
      `nextClick: predicted mask has ${pred.length} pixels, the ground truth ${width}x${height} has ${n}; upscale the prediction to the image size first`,
    );
  }
  const fn = new Uint8Array(n); // uint8[height,width] false negatives
  const fp = new Uint8Array(n); // uint8[height,width] false positives
  for (let i = 0; i < n; i++) {
    if (ignore && ignore[i]) continue;
    const p = pred !== undefined && pred[i] !== 0;
    if (object[i] && !p) fn[i] = 1;
    else if (!object[i] && p) fp[i] = 1;
  }
  const fnBest = argMaxDistance(squaredDistanceTransform(fn, width, height), clicked);
  const fpBest = argMaxDistance(squaredDistanceTransform(fp, width, height), clicked);
  const positive = fnBest.d2 > fpBest.d2;
  const best = positive ? fnBest : fpBest;
  if (best.index < 0 || best.d2 === 0) return undefined;
  return {
    x: best.index % width,
    y: Math.floor(best.index / width),
    label: positive ? 1 : 0,
    errorDistance: Math.sqrt(best.d2),
  };
}

function argMaxDistance(d2: Float64Array, clicked: Uint8Array | undefined): { index: number; d2: number } {
  let index = -1;
  let best = -1;
  for (let i = 0; i < d2.length; i++) {
    if (clicked && clicked[i]) continue;
    const v = d2[i];
    if (v > best) {
      best = v;
      index = i;
    }
  }
  return { index, d2: Math.max(best, 0) };
}
