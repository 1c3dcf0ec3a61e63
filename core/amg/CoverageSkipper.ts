import { LOW_RES_SIZE, type EmbeddedFrame } from '../types';

/** What CoverageSkipper needs to know about one decoded candidate. */
export interface DecodedCandidateInfo {
  /** float32[256*256] low-res logits (padded model frame). */
  readonly lowResLogits: Float32Array;
  readonly predictedIou: number;
  readonly stabilityScore: number;
}

export interface CoverageSkipperOptions {
  /** Cosine similarity of embedding features at two points above which they are taken to give the same mask. */
  readonly similarity: number;
  readonly predIouThresh: number;
  readonly stabilityScoreThresh: number;
  /** A candidate that failed the filters explains other points only when it failed by more than this (default 0.03). */
  readonly failMargin?: number;
  /** Logit a point must exceed in an explaining mask (default 1: inside with SAM's stability offset). */
  readonly coverLogit?: number;
}

/**
 * The `skipCovered` decision for one image (or crop) and its grid: which grid points can be skipped
 * because an already decoded point predicts their mask.
 *
 * Designed on an offline replay of the exhaustive 32×32 per-point decoder outputs of 7 photos, then
 * measured end to end with bench/amg.ts on 3 (see AmgOptions.skipCovered). Skipping every point inside
 * an accepted mask loses nested masks (recall 0.33, DESIGN.md), because a point on the saucer yields the cup
 * and saucer while a point on the cup yields the cup. Requiring, in addition, that the image
 * embedding's 256-d features at the two points be nearly parallel (cosine >= 0.94 by default) keeps nested
 * parts apart — their features differ. A decoded mask that narrowly failed the IoU/stability
 * filters must not explain its neighbours (another point often gives the same mask with a higher
 * score), so only masks that passed, or failed by more than `failMargin`, explain others.
 */
export class CoverageSkipper {
  private readonly features: Float32Array; // float32[nPoints, C], unit rows
  private readonly lowResIndex: Int32Array; // index into the 256×256 low-res map for each point
  private readonly channels: number;
  private readonly explainers: Array<{ point: number; covers: Uint8Array }> = [];
  private readonly failMargin: number;
  private readonly coverLogit: number;

  constructor(
    embedded: EmbeddedFrame,
    private readonly points: ReadonlyArray<readonly [number, number]>,
    private readonly opts: CoverageSkipperOptions,
  ) {
    const dims = embedded.embeddingDims;
    const C = dims[dims.length - 3]!;
    const Hf = dims[dims.length - 2]!;
    const Wf = dims[dims.length - 1]!;
    this.channels = C;
    this.failMargin = opts.failMargin ?? 0.03;
    this.coverLogit = opts.coverLogit ?? 1;
    const t = embedded.transform;
    const emb = embedded.embedding;
    const n = points.length;
    this.features = new Float32Array(n * C); // float32[n,C]
    this.lowResIndex = new Int32Array(n);
    const [vw, vh] = t.lowResValid;
    const lowStep = t.targetLength / LOW_RES_SIZE;
    for (let i = 0; i < n; i++) {
      const mx = t.toModelX(points[i]![0]);
      const my = t.toModelY(points[i]![1]);
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
        const v =
          emb[b + y0 * Wf + x0]! * (1 - ax) * (1 - ay) +
          emb[b + y0 * Wf + x1]! * ax * (1 - ay) +
          emb[b + y1 * Wf + x0]! * (1 - ax) * ay +
          emb[b + y1 * Wf + x1]! * ax * ay;
        this.features[i * C + c] = v;
        norm += v * v;
      }
      norm = Math.sqrt(norm) || 1;
      for (let c = 0; c < C; c++) this.features[i * C + c]! /= norm;
      const lx = Math.min(vw - 1, Math.max(0, Math.floor(mx / lowStep)));
      const ly = Math.min(vh - 1, Math.max(0, Math.floor(my / lowStep)));
      this.lowResIndex[i] = ly * LOW_RES_SIZE + lx;
    }
  }

  /** Cosine similarity of the embedding features at grid points i and j. */
  similarity(i: number, j: number): number {
    const C = this.channels;
    let s = 0;
    for (let c = 0; c < C; c++) s += this.features[i * C + c]! * this.features[j * C + c]!;
    return s;
  }

  /** True when an already decoded point predicts point q's mask (see the class comment). */
  isExplained(q: number): boolean {
    for (const e of this.explainers) {
      if (e.covers[q] === 1 && this.similarity(e.point, q) >= this.opts.similarity) return true;
    }
    return false;
  }

  /** Record the candidates decoded at point p. */
  addDecoded(p: number, candidates: readonly DecodedCandidateInfo[]): void {
    const { predIouThresh, stabilityScoreThresh } = this.opts;
    for (const c of candidates) {
      const passed = c.predictedIou > predIouThresh && c.stabilityScore >= stabilityScoreThresh;
      const clearlyFailed =
        c.predictedIou <= predIouThresh - this.failMargin || c.stabilityScore < stabilityScoreThresh - this.failMargin;
      if (!passed && !clearlyFailed) continue;
      const covers = new Uint8Array(this.points.length);
      for (let i = 0; i < covers.length; i++) covers[i] = c.lowResLogits[this.lowResIndex[i]!]! > this.coverLogit ? 1 : 0;
      this.explainers.push({ point: p, covers });
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
