import { SamflowError } from '../errors';

/** Stand-in for "no feature pixel yet" inside the 1-D transform (finite, so INF − INF never yields NaN). */
const FAR = 1e20;

/**
 * Felzenszwalb–Huttenlocher 1-D squared distance transform of a sampled function:
 * `d[q] = min_p ((q − p)² + f[p])`, exact, O(n), via the lower envelope of parabolas.
 * Reads `f[offset + i*stride]` for i in [0, n) and writes `d` at the same positions.
 * `v` (Int32Array ≥ n) and `z` (Float64Array ≥ n+1) are scratch buffers owned by the caller.
 */
export function squaredDistanceTransform1d(f: Float64Array, d: Float64Array, n: number, offset: number, stride: number, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    const fq = f[offset + q * stride] + q * q;
    let p = v[k];
    let s = (fq - (f[offset + p * stride] + p * p)) / (2 * (q - p));
    while (s <= z[k]) {
      // z[0] = −∞ stops this at k = 0.
      k--;
      p = v[k]!;
      s = (fq - (f[offset + p * stride] + p * p)) / (2 * (q - p));
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const p = v[k];
    d[offset + q * stride] = (q - p) * (q - p) + f[offset + p * stride];
  }
}

export interface DistanceTransformOptions {
  /**
   * Treat the pixels just outside the image as background (pad with one ring of zeros), so an
   * object touching the border is measured to the border too. This is what the click protocol of
   * RITM/SimpleClick does (`np.pad(mask, 1)` before `cv2.distanceTransform`). Default true.
   */
  readonly borderIsBackground?: boolean;
}

/**
 * Exact squared Euclidean distance from every non-zero pixel of `mask` (uint8[height*width],
 * row-major) to the nearest zero pixel; 0 on zero pixels. Two passes of the 1-D transform
 * (columns, then rows). Pixels with no zero pixel anywhere get `Infinity`.
 * @returns float64[height*width] squared distances (integers, exact).
 */
export function squaredDistanceTransform(mask: Uint8Array, width: number, height: number, opts: DistanceTransformOptions = {}): Float64Array {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new SamflowError('BAD_OPTION', `distance transform: width and height must be positive integers, got ${width}x${height}`);
  }
  if (mask.length !== width * height) {
    throw new SamflowError(
      'BAD_OPTION',
      `distance transform: mask has ${mask.length} values but ${width}x${height} needs ${width * height}; pass a row-major uint8 mask of the image size`,
    );
  }
  const pad = opts.borderIsBackground === false ? 0 : 1;
  const w = width + 2 * pad;
  const h = height + 2 * pad;
  const f = new Float64Array(w * h); // float64[h,w] 0 on background (incl. the pad ring), FAR inside
  for (let y = 0; y < height; y++) {
    const src = y * width;
    const dst = (y + pad) * w + pad;
    for (let x = 0; x < width; x++) f[dst + x] = mask[src + x] !== 0 ? FAR : 0;
  }
  const tmp = new Float64Array(w * h);
  const n = Math.max(w, h);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  for (let x = 0; x < w; x++) squaredDistanceTransform1d(f, tmp, h, x, w, v, z); // columns
  for (let y = 0; y < h; y++) squaredDistanceTransform1d(tmp, f, w, y * w, 1, v, z); // rows
  const out = new Float64Array(width * height); // float64[height,width]
  for (let y = 0; y < height; y++) {
    const src = (y + pad) * w + pad;
    const dst = y * width;
    for (let x = 0; x < width; x++) {
      const d = f[src + x];
      out[dst + x] = d >= FAR / 2 ? Infinity : d;
    }
  }
  return out;
}

/** Exact Euclidean distance transform: the square root of `squaredDistanceTransform`. */
export function euclideanDistanceTransform(mask: Uint8Array, width: number, height: number, opts: DistanceTransformOptions = {}): Float64Array {
  const d = squaredDistanceTransform(mask, width, height, opts);
  for (let i = 0; i < d.length; i++) d[i] = Math.sqrt(d[i]);
  return d;
}
