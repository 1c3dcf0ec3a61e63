import type { SamTransform } from '../geometry/SamTransform';
import type { ResolvedAmgOptions } from './AmgOptions';
import { LOW_RES_SIZE, type EmbeddedFrame } from '../types';
import { imageFeatures } from '../model/imageFeatures';

/** What CoverageSkipper needs to know about one decoded candidate. */
export interface DecodedCandidateInfo {
  /** float32[256*256] low-res logits (padded model frame). */
  readonly lowResLogits: Float32Array;
  readonly predictedIou: number;
  readonly stabilityScore: number;
}

export interface CoverageSkipperOptions {
  /**
   * Cosine similarity of the embedding features at two points above which a mask that passed the
   * filters, decoded at one, is taken for the other's (AmgOptions.skipCoveredSimilarity).
   */
  readonly similarity: number;
  readonly predIouThresh: number;
  readonly stabilityScoreThresh: number;
  /** A candidate that failed the filters explains other points only when it failed by more than this (default 0.03). */
  readonly failMargin?: number;
  /** Logit a point must exceed in an explaining mask (default 1: inside with SAM's stability offset). */
  readonly coverLogit?: number;
  /** Added to `similarity` when the explaining mask failed the filters (default 0.02). */
  readonly failedSimilarityOffset?: number;
  /**
   * Every feature pixel on the segment between the two points must have at least this cosine
   * similarity with the decoded point's feature, for a mask that passed (default 0.75).
   */
  readonly pathSimilarity?: number;
  /** The same for a mask that failed the filters clearly (default 0.8). */
  readonly failedPathSimilarity?: number;
  /**
   * Which of a decoded point's masks explain other points: 'any' (default) — each of its masks that
   * passed or failed clearly, on its own; 'perToken' — q only
   * when, for each mask token (1–3), some decoded point's mask of that token explains q on its own.
   */
  readonly explainBy?: 'any' | 'perToken';
}

interface Explainer {
  readonly point: number;
  /** Position of the mask among its point's decoder outputs (the mask token for multimask). */
  readonly token: number;
  readonly covers: Uint8Array;
  readonly similarity: number;
  readonly pathSimilarity: number;
}

/**
 * The `skipCovered` decision for one image (or crop) and its grid: which grid points can be skipped
 * because an already decoded point predicts their mask.
 *
 * A decoded point p explains a later point q when p's mask holds q (logit > `coverLogit`), the
 * image embedding's 256-d features at p and q are nearly parallel (cosine >= `similarity`), and the
 * straight segment from p to q crosses no region boundary: every 64×64 feature pixel it passes has
 * cosine >= `pathSimilarity` with p's feature. Skipping every point inside an accepted mask loses
 * nested masks (recall 0.33): a point on the saucer yields the cup and saucer, a point on the cup
 * yields the cup; their features differ, and the segment between them crosses the cup's rim. A
 * decoded mask that narrowly failed the IoU/stability filters explains nothing (another point
 * often gives the same mask with a higher score); one that failed by more than `failMargin`
 * explains its neighbours as failures too, with stricter thresholds (+`failedSimilarityOffset`,
 * `failedPathSimilarity`), since the same mask decoded from a neighbour sometimes passes.
 *
 * With a multimask decoder (3 masks per point) `explainBy: 'perToken'` (skipCovered's rule, see
 * `skipCoveredRule`) skips q only when each mask token is explained by a decoded mask of that token.
 *
 * Designed on offline replays of the exhaustive 32×32 decoder outputs of 20 photos (bench/amgReplay.ts;
 * rules chosen on one half, confirmed on the other; see AmgOptions.skipCovered): the segment test took
 * ~12% fewer decodes than the endpoint cosine alone at the same recall (1-mask era).
 */
export class CoverageSkipper {
  private readonly features: Float32Array; // float32[nPoints, C], unit rows
  private readonly lowResIndex: Int32Array; // index into the 256×256 low-res map for each point
  private readonly modelXy: Float64Array; // float64[nPoints, 2]: points in the model's 1024 frame
  private readonly channels: number;
  private readonly explainers: Explainer[] = [];
  private readonly failMargin: number;
  private readonly coverLogit: number;
  private readonly failedSimilarity: number;
  private readonly pathSimilarity: number;
  private readonly failedPathSimilarity: number;
  private readonly embedding: Float32Array; // float32[1,C,Hf,Wf]
  private readonly featureWidth: number;
  private readonly featureHeight: number;
  private readonly featureStride: number; // model pixels per feature pixel
  private tokens = 1; // most masks per decoded point so far
  private pixelInvNorm: Float32Array | undefined; // float32[Hf*Wf], 1/|feature| (0 for a zero feature), computed on first use

  constructor(
    embedded: EmbeddedFrame,
    private readonly points: ReadonlyArray<readonly [number, number]>,
    private readonly opts: CoverageSkipperOptions,
  ) {
    const { data: emb, dims } = imageFeatures(embedded.embedding);
    const C = dims[dims.length - 3];
    const Hf = dims[dims.length - 2];
    const Wf = dims[dims.length - 1];
    this.channels = C;
    this.failMargin = opts.failMargin ?? 0.03;
    this.coverLogit = opts.coverLogit ?? 1;
    this.failedSimilarity = opts.similarity + (opts.failedSimilarityOffset ?? 0.02);
    this.pathSimilarity = opts.pathSimilarity ?? 0.75;
    this.failedPathSimilarity = opts.failedPathSimilarity ?? 0.8;
    const t = embedded.transform;
    this.embedding = emb;
    this.featureWidth = Wf;
    this.featureHeight = Hf;
    this.featureStride = t.targetLength / Wf;
    const n = points.length;
    this.features = new Float32Array(n * C); // float32[n,C]
    this.modelXy = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      const mx = t.toModelX(points[i][0]);
      const my = t.toModelY(points[i][1]);
      this.modelXy[2 * i] = mx;
      this.modelXy[2 * i + 1] = my;
      // bilinear sample of the [C,Hf,Wf] feature map at the point (feature pixel centres at (k + 0.5) * stride)
      const fx = Math.min(Wf - 1, Math.max(0, mx / (t.targetLength / Wf) - 0.5));
      const fy = Math.min(Hf - 1, Math.max(0, my / (t.targetLength / Hf) - 0.5));
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const x1 = Math.min(Wf - 1, x0 + 1);
      const y1 = Math.min(Hf - 1, y0 + 1);
      const ax = fx - x0;
      const ay = fy - y0;
      let norm = 0;
      for (let c = 0; c < C; c++) {
        const b = c * Hf * Wf;
        const v = emb[b + y0 * Wf + x0] * (1 - ax) * (1 - ay) + emb[b + y0 * Wf + x1] * ax * (1 - ay) + emb[b + y1 * Wf + x0] * (1 - ax) * ay + emb[b + y1 * Wf + x1] * ax * ay;
        this.features[i * C + c] = v;
        norm += v * v;
      }
      norm = Math.sqrt(norm) || 1;
      for (let c = 0; c < C; c++) this.features[i * C + c] /= norm;
    }
    this.lowResIndex = gridLowResIndex(t, points);
  }

  /** Cosine similarity of the embedding features at grid points i and j. */
  similarity(i: number, j: number): number {
    const C = this.channels;
    let s = 0;
    for (let c = 0; c < C; c++) s += this.features[i * C + c] * this.features[j * C + c];
    return s;
  }

  /**
   * Least cosine similarity between point i's feature and the feature pixels on the segment from
   * point i to point j: samples every half feature pixel (both ends included), each taking the
   * feature pixel it falls in.
   */
  pathSimilarityBetween(i: number, j: number): number {
    const C = this.channels;
    const Wf = this.featureWidth;
    const Hf = this.featureHeight;
    const plane = Wf * Hf;
    const inv = this.pixelInvNorms();
    const x0 = this.modelXy[2 * i];
    const y0 = this.modelXy[2 * i + 1];
    const dx = this.modelXy[2 * j] - x0;
    const dy = this.modelXy[2 * j + 1] - y0;
    const step = this.featureStride / 2;
    const k = Math.max(2, Math.floor(Math.hypot(dx, dy) / step) + 1);
    let min = Infinity;
    let last = -1;
    for (let s = 0; s < k; s++) {
      const t = s / (k - 1);
      const px = Math.min(Wf - 1, Math.max(0, Math.floor((x0 + t * dx) / this.featureStride)));
      const py = Math.min(Hf - 1, Math.max(0, Math.floor((y0 + t * dy) / this.featureStride)));
      const pix = py * Wf + px;
      if (pix === last) continue;
      last = pix;
      let dot = 0;
      for (let c = 0; c < C; c++) dot += this.features[i * C + c] * this.embedding[c * plane + pix];
      const cos = dot * inv[pix];
      if (cos < min) min = cos;
    }
    return min;
  }

  private pixelInvNorms(): Float32Array {
    if (this.pixelInvNorm) return this.pixelInvNorm;
    const plane = this.featureWidth * this.featureHeight;
    const sq = new Float64Array(plane);
    for (let c = 0; c < this.channels; c++) {
      const b = c * plane;
      for (let p = 0; p < plane; p++) sq[p] += this.embedding[b + p] ** 2;
    }
    const inv = new Float32Array(plane);
    for (let p = 0; p < plane; p++) inv[p] = sq[p] > 0 ? 1 / Math.sqrt(sq[p]) : 0;
    return (this.pixelInvNorm = inv);
  }

  /** True when an already decoded point predicts point q's mask (see the class comment). */
  isExplained(q: number): boolean {
    if (this.opts.explainBy === 'perToken') {
      const all = (1 << this.tokens) - 1;
      let got = 0;
      for (const e of this.explainers) {
        if ((got >> e.token) & 1 || e.covers[q] !== 1 || this.similarity(e.point, q) < e.similarity) continue;
        if (this.pathSimilarityBetween(e.point, q) >= e.pathSimilarity) got |= 1 << e.token;
        if (got === all) return true;
      }
      return false;
    }
    for (const e of this.explainers) {
      if (e.covers[q] !== 1 || this.similarity(e.point, q) < e.similarity) continue;
      if (this.pathSimilarityBetween(e.point, q) >= e.pathSimilarity) return true;
    }
    return false;
  }

  /** Record the candidates decoded at point p. */
  addDecoded(p: number, candidates: readonly DecodedCandidateInfo[]): void {
    const { predIouThresh, stabilityScoreThresh } = this.opts;
    this.tokens = Math.max(this.tokens, candidates.length);
    for (const [token, c] of candidates.entries()) {
      const passed = c.predictedIou > predIouThresh && c.stabilityScore >= stabilityScoreThresh;
      const clearlyFailed = c.predictedIou <= predIouThresh - this.failMargin || c.stabilityScore < stabilityScoreThresh - this.failMargin;
      if (!passed && !clearlyFailed) continue;
      const covers = new Uint8Array(this.points.length);
      for (let i = 0; i < covers.length; i++) covers[i] = c.lowResLogits[this.lowResIndex[i]] > this.coverLogit ? 1 : 0;
      this.explainers.push({
        point: p,
        token,
        covers,
        similarity: passed ? this.opts.similarity : this.failedSimilarity,
        pathSimilarity: passed ? this.pathSimilarity : this.failedPathSimilarity,
      });
    }
  }
}

/**
 * Visiting order for `skipCovered`: coarse to fine. For a square n×n grid (row-major), first the
 * points on every 4th row and column (offset 2), then every 2nd (offset 1), then the rest; any
 * other grid is visited in its own order.
 */
export function coarseToFineOrder(nPoints: number): number[] {
  const n = Math.round(Math.sqrt(nPoints));
  if (n * n !== nPoints) return Array.from({ length: nPoints }, (_, i) => i);
  const seen = new Uint8Array(nPoints);
  const order: number[] = [];
  for (const [stride, offset] of [
    [4, 2],
    [2, 1],
    [1, 0],
  ] as const) {
    for (let i = offset; i < n; i += stride) {
      for (let j = offset; j < n; j += stride) {
        const k = i * n + j;
        if (!seen[k]) {
          seen[k] = 1;
          order.push(k);
        }
      }
    }
  }
  return order;
}

/** For each point (crop pixels), the index of the 256×256 low-res logit it falls in (clamped to the valid area). */
export function gridLowResIndex(t: SamTransform, points: ReadonlyArray<readonly [number, number]>): Int32Array {
  const [vw, vh] = t.lowResValid;
  const lowStep = t.targetLength / LOW_RES_SIZE;
  const out = new Int32Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const lx = Math.min(vw - 1, Math.max(0, Math.floor(t.toModelX(points[i][0]) / lowStep)));
    const ly = Math.min(vh - 1, Math.max(0, Math.floor(t.toModelY(points[i][1]) / lowStep)));
    out[i] = ly * LOW_RES_SIZE + lx;
  }
  return out;
}

/**
 * The rule `generateMasks` uses for `skipCovered` (chosen on the tuning half of the 20-photo replay,
 * see AmgOptions.skipCovered): each of the 3 mask tokens must be explained ('perToken'), a point is
 * held by a mask at logit > 0, segment cosine >= 0.7, endpoint cosine >= skipCoveredSimilarity.
 */
export function skipCoveredRule(o: Pick<ResolvedAmgOptions, 'skipCoveredSimilarity' | 'predIouThresh' | 'stabilityScoreThresh'>): CoverageSkipperOptions {
  return {
    similarity: o.skipCoveredSimilarity,
    predIouThresh: o.predIouThresh,
    stabilityScoreThresh: o.stabilityScoreThresh,
    explainBy: 'perToken',
    coverLogit: 0,
    pathSimilarity: 0.7,
  };
}
