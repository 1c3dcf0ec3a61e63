import { SamflowError } from '../errors';
import type { SamTransform } from '../geometry/SamTransform';
import { describeValue } from '../limits';
import { LOW_RES_SIZE, type BinaryMask, type BoxXyxy, type MaskCandidate } from '../types';

/** Per output column (or row): the two low-res source indices and the weight of the second. */
interface Taps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w1: Float32Array;
}

/**
 * Source taps for resizing the low-res logits to an original side of `outSize` pixels, composing
 * the SAM decoder's two bilinear steps (align_corners=False): 256 → 1024 (×4), crop to the resized
 * side `resized`, then → `outSize`.
 */
function taps(outSize: number, resized: number, targetLength: number): Taps {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w1 = new Float32Array(outSize);
  const up = targetLength / LOW_RES_SIZE;
  const ratio = resized / outSize;
  for (let o = 0; o < outSize; o++) {
    const inModel = Math.max(0, (o + 0.5) * ratio - 0.5); // coordinate in the 1024 frame
    const src = Math.max(0, (inModel + 0.5) / up - 0.5); // coordinate in the 256 grid
    const f = Math.floor(src);
    const a = Math.min(f, LOW_RES_SIZE - 1);
    i0[o] = a;
    i1[o] = Math.min(a + 1, LOW_RES_SIZE - 1);
    w1[o] = src - f;
  }
  return { i0, i1, w1 };
}

/**
 * Bilinear resize of SAM's low-res logits (float32[256*256], padded model frame) to the original
 * image size, with the padding cropped away: out float32[H*W], row-major. Matches the ONNX
 * decoder's own `masks` output; computed only for the masks that survive filtering.
 */
export function upscaleLogits(lowResLogits: Float32Array, transform: SamTransform): Float32Array {
  const W = transform.originalWidth;
  const H = transform.originalHeight;
  const out = new Float32Array(W * H); // float32[H,W]
  resample(lowResLogits, transform, (rowStart, row) => out.set(row, rowStart));
  return out;
}

/** Upscale a candidate's logits and threshold them (SAM's mask_threshold 0): a BinaryMask of the original size. */
export function candidateToMask(candidate: Pick<MaskCandidate, 'lowResLogits' | 'transform'>, threshold = 0): BinaryMask {
  const c = candidate as Partial<MaskCandidate> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    !(c.lowResLogits instanceof Float32Array) ||
    c.lowResLogits.length !== LOW_RES_SIZE * LOW_RES_SIZE ||
    typeof c.transform !== 'object' ||
    c.transform === null ||
    !(c.transform.originalWidth >= 1 && c.transform.originalHeight >= 1)
  ) {
    throw new SamflowError(
      'BAD_OPTION',
      `candidateToMask: expected a mask candidate from decodeMasks ({lowResLogits: Float32Array of ${LOW_RES_SIZE}x${LOW_RES_SIZE}, transform}), got ${describeValue(candidate)}`,
      'candidate',
    );
  }
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new SamflowError('BAD_OPTION', `candidateToMask: threshold must be a number (logit, default 0), got ${describeValue(threshold)}`, 'threshold');
  }
  return logitsToMask(candidate.lowResLogits, candidate.transform, threshold);
}

/** Low-res logits → BinaryMask of the original size, thresholded at `threshold`. */
export function logitsToMask(lowResLogits: Float32Array, transform: SamTransform, threshold = 0): BinaryMask {
  const W = transform.originalWidth;
  const H = transform.originalHeight;
  const data = new Uint8Array(W * H); // uint8[H,W]
  resample(lowResLogits, transform, (rowStart, row) => {
    for (let x = 0; x < W; x++) data[rowStart + x] = row[x] > threshold ? 1 : 0;
  });
  return { width: W, height: H, data };
}

function resample(low: Float32Array, t: SamTransform, emit: (rowStart: number, row: Float32Array) => void): void {
  if (low.length !== LOW_RES_SIZE * LOW_RES_SIZE) {
    throw new RangeError(`low-res logits must hold ${LOW_RES_SIZE}x${LOW_RES_SIZE} values, got ${low.length}`);
  }
  const W = t.originalWidth;
  const H = t.originalHeight;
  const xs = taps(W, t.resizedWidth, t.targetLength);
  const ys = taps(H, t.resizedHeight, t.targetLength);
  const mixed = new Float32Array(LOW_RES_SIZE); // one low-res row, interpolated vertically
  const row = new Float32Array(W);
  // only the low-res columns that the taps touch are needed
  const maxCol = Math.min(LOW_RES_SIZE - 1, (xs.i1[W - 1] ?? 0) + 1);
  for (let y = 0; y < H; y++) {
    const r0 = ys.i0[y] * LOW_RES_SIZE;
    const r1 = ys.i1[y] * LOW_RES_SIZE;
    const wy = ys.w1[y];
    for (let c = 0; c <= maxCol; c++) {
      const a = low[r0 + c];
      mixed[c] = a + (low[r1 + c] - a) * wy;
    }
    for (let x = 0; x < W; x++) {
      const a = mixed[xs.i0[x]];
      row[x] = a + (mixed[xs.i1[x]] - a) * xs.w1[x];
    }
    emit(y * W, row);
  }
}

/** First and last output index whose taps read a low-res index in [lo, hi] (taps are monotonic); undefined when none. */
function outputRange(t: Taps, lo: number, hi: number): [number, number] | undefined {
  let first = -1;
  let last = -1;
  for (let o = 0; o < t.i0.length; o++) {
    if (t.i1[o] >= lo && t.i0[o] <= hi) {
      if (first < 0) first = o;
      last = o;
    }
  }
  return first < 0 ? undefined : [first, last];
}

/**
 * The box (XYXY, SAM's inclusive convention: x1/y1 are the last inside pixel) of
 * `logitsToMask(lowResLogits, transform, threshold)`, without upscaling the whole mask. Exact: each
 * output logit is a convex combination of 4 low-res logits, so it can exceed the threshold only
 * where one of its taps does; only the output rows and columns whose taps reach the low-res
 * pixels above the threshold are computed, by the same arithmetic as logitsToMask. An empty mask
 * gives [0, 0, 0, 0].
 */
export function logitsBoxXyxy(lowResLogits: Float32Array, t: SamTransform, threshold = 0): BoxXyxy {
  const low = lowResLogits;
  if (low.length !== LOW_RES_SIZE * LOW_RES_SIZE) {
    throw new RangeError(`low-res logits must hold ${LOW_RES_SIZE}x${LOW_RES_SIZE} values, got ${low.length}`);
  }
  let lx0 = LOW_RES_SIZE;
  let lx1 = -1;
  let ly0 = -1;
  let ly1 = -1;
  for (let y = 0; y < LOW_RES_SIZE; y++) {
    const r = y * LOW_RES_SIZE;
    for (let x = 0; x < LOW_RES_SIZE; x++) {
      if (low[r + x] > threshold) {
        if (ly0 < 0) ly0 = y;
        ly1 = y;
        if (x < lx0) lx0 = x;
        if (x > lx1) lx1 = x;
      }
    }
  }
  if (ly0 < 0) return [0, 0, 0, 0];
  const xs = taps(t.originalWidth, t.resizedWidth, t.targetLength);
  const ys = taps(t.originalHeight, t.resizedHeight, t.targetLength);
  const cols = outputRange(xs, lx0, lx1);
  const rows = outputRange(ys, ly0, ly1);
  if (!cols || !rows) return [0, 0, 0, 0];
  const [ox0, ox1] = cols;
  const c0 = xs.i0[ox0];
  const c1 = xs.i1[ox1];
  const mixed = new Float32Array(LOW_RES_SIZE); // one low-res row, interpolated vertically
  let bx0 = Infinity;
  let bx1 = -1;
  let by0 = -1;
  let by1 = -1;
  for (let y = rows[0]; y <= rows[1]; y++) {
    const r0 = ys.i0[y] * LOW_RES_SIZE;
    const r1 = ys.i1[y] * LOW_RES_SIZE;
    const wy = ys.w1[y];
    for (let c = c0; c <= c1; c++) {
      const a = low[r0 + c];
      mixed[c] = a + (low[r1 + c] - a) * wy;
    }
    let any = false;
    for (let x = ox0; x <= ox1; x++) {
      const a = mixed[xs.i0[x]];
      if (a + (mixed[xs.i1[x]] - a) * xs.w1[x] > threshold) {
        any = true;
        if (x < bx0) bx0 = x;
        if (x > bx1) bx1 = x;
      }
    }
    if (any) {
      if (by0 < 0) by0 = y;
      by1 = y;
    }
  }
  return by0 < 0 ? [0, 0, 0, 0] : [bx0, by0, bx1, by1];
}
