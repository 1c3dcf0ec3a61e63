import { SamflowError } from '../errors';
import { checkLimit, DEFAULT_LIMITS } from '../limits';
import { buildPointGrid as buildGrid } from './buildPointGrid';
import type { GridPoint } from './buildPointGrid';
import type { RecordOutputMode } from '../records/AmgRecord';

/** How `toRecords` encodes each record's `segmentation` (SAM's `output_mode`). */
export type AmgOutputMode = RecordOutputMode;

/**
 * Options of automatic mask generation, SAM's `SamAutomaticMaskGenerator` parameters in camelCase
 * with SAM's defaults, plus samflow's `skipCovered` speed-up.
 */
export interface AmgOptions {
  /** Points per side of the grid (default 32). Ignored when `pointGrids` is given. */
  readonly pointsPerSide?: number;
  /** Explicit normalised grids, one per crop layer (overrides pointsPerSide). */
  readonly pointGrids?: ReadonlyArray<readonly GridPoint[]>;
  /** Points per batch: the granularity of progress reports and cancellation (default 64). */
  readonly pointsPerBatch?: number;
  /** Keep masks whose predicted IoU is > this (default 0.88; 0 disables). */
  readonly predIouThresh?: number;
  /** Keep masks whose stability score is >= this (default 0.95; 0 disables). */
  readonly stabilityScoreThresh?: number;
  /** Logit offset of the stability score (default 1.0). */
  readonly stabilityScoreOffset?: number;
  /** Box NMS IoU threshold within a crop (default 0.7). */
  readonly boxNmsThresh?: number;
  /** Crop layers (default 0: whole image only). */
  readonly cropNLayers?: number;
  /** Box NMS IoU threshold across crops (default 0.7). */
  readonly cropNmsThresh?: number;
  /** Crop overlap as a fraction of the short side (default 512/1500). */
  readonly cropOverlapRatio?: number;
  /** Points per side on layer i are pointsPerSide / factor^i (default 1). */
  readonly cropNPointsDownscaleFactor?: number;
  /** Fill holes / remove islands smaller than this many pixels, then NMS again (default 0: off). */
  readonly minMaskRegionArea?: number;
  /** Record segmentation format (default 'coco_rle'). */
  readonly outputMode?: AmgOutputMode;
  /** Add polygons (outer contours with holes, simplified, pixel coordinates) to each record. */
  readonly polygons?: boolean;
  /**
   * Skip grid points whose masks are already known (default false: exhaustive, SAM's exact result).
   * Points are visited coarse to fine; a decoded point p's mask explains a later point q when it
   * holds q (logit > 0), the image embedding's features at p and q have cosine similarity >=
   * `skipCoveredSimilarity`, and every feature pixel on the segment from p to q has cosine >= 0.7 with
   * p's feature (no region boundary between them). A mask that failed the IoU/stability filters by
   * more than 0.03 explains with cosine >= skipCoveredSimilarity + 0.02 and segment >= 0.8; one that
   * failed narrowly explains nothing. q is skipped only when each of its 3 mask tokens (whole, part,
   * subpart) is explained by a decoded mask of the same token (CoverageSkipper `perToken`): a whole
   * mask holding q says nothing about q's parts.
   * Chosen on an offline replay of the exhaustive 32×32 3-mask decoder outputs (bench/amgReplay.ts)
   * of the tuning half of 20 photos (bench/amgReplayData.ts): 4,463 decodes of 10,240 (0.44), lowest
   * recall 0.962, 2 exhaustive masks missed in all (with two decoder groups in flight, see
   * generateMasksProgressive). Confirmation half (real runs alternated with exhaustive ones, 2 cores,
   * quiet, 2026-12-02): 0.52 of the decodes, 0.54× the wall time, recall 1.00 on 8 photos, 0.989 on
   * building, 0.929 on coffee. See the README's table, and bench/amgReplaySupport.ts for why busy
   * photos need most of the grid (many exhaustive masks come from a single grid point).
   */
  readonly skipCovered?: boolean;
  /** Cosine similarity of embedding features above which a covered point is skipped (default 0.9; lower is faster, less exact). */
  readonly skipCoveredSimilarity?: number;
}

/** AmgOptions with every default filled in. */
export interface ResolvedAmgOptions {
  readonly pointGrids: ReadonlyArray<readonly GridPoint[]>;
  readonly pointsPerBatch: number;
  readonly predIouThresh: number;
  readonly stabilityScoreThresh: number;
  readonly stabilityScoreOffset: number;
  readonly boxNmsThresh: number;
  readonly cropNLayers: number;
  readonly cropNmsThresh: number;
  readonly cropOverlapRatio: number;
  readonly cropNPointsDownscaleFactor: number;
  readonly minMaskRegionArea: number;
  readonly outputMode: AmgOutputMode;
  readonly polygons: boolean;
  readonly skipCovered: boolean;
  readonly skipCoveredSimilarity: number;
}

export const AMG_DEFAULTS = {
  pointsPerSide: 32,
  pointsPerBatch: 64,
  predIouThresh: 0.88,
  stabilityScoreThresh: 0.95,
  stabilityScoreOffset: 1.0,
  boxNmsThresh: 0.7,
  cropNLayers: 0,
  cropNmsThresh: 0.7,
  cropOverlapRatio: 512 / 1500,
  cropNPointsDownscaleFactor: 1,
  minMaskRegionArea: 0,
  outputMode: 'coco_rle',
  skipCoveredSimilarity: 0.9,
} as const;

function bad(name: string, what: string, value: unknown): never {
  throw new SamflowError('BAD_OPTION', `AMG option ${name} ${what}, got ${JSON.stringify(value)}`);
}
function count(name: string, v: number | undefined, dflt: number, min: number): number {
  const x = v ?? dflt;
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min) bad(name, `must be an integer >= ${min}`, x);
  return x;
}
function unit(name: string, v: number | undefined, dflt: number): number {
  const x = v ?? dflt;
  if (typeof x !== 'number' || !(x >= 0 && x <= 1)) bad(name, 'must be a number in [0, 1]', x);
  return x;
}

/** Fill in SAM's defaults and validate; throws SamflowError('BAD_OPTION') naming the option. */
export function resolveAmgOptions(o: AmgOptions = {}): ResolvedAmgOptions {
  const cropNLayers = count('cropNLayers', o.cropNLayers, AMG_DEFAULTS.cropNLayers, 0);
  const cropNPointsDownscaleFactor = count('cropNPointsDownscaleFactor', o.cropNPointsDownscaleFactor, AMG_DEFAULTS.cropNPointsDownscaleFactor, 1);
  let pointGrids: ReadonlyArray<readonly GridPoint[]>;
  if (o.pointGrids !== undefined) {
    if (o.pointsPerSide !== undefined) bad('pointGrids', 'cannot be combined with pointsPerSide (give exactly one)', 'both');
    if (o.pointGrids.length !== cropNLayers + 1) {
      bad('pointGrids', `must hold cropNLayers + 1 = ${cropNLayers + 1} grids`, `${o.pointGrids.length} grids`);
    }
    for (const g of o.pointGrids) {
      for (const p of g) {
        if (!(p[0] >= 0 && p[0] <= 1 && p[1] >= 0 && p[1] <= 1)) bad('pointGrids', 'points must be normalised [x, y] in [0, 1]', p);
      }
    }
    checkLimit(
      'AMG pointGrids: number of points',
      o.pointGrids.reduce((n, g) => n + g.length, 0),
      DEFAULT_LIMITS.maxGridPoints,
      'maxGridPoints',
      'BAD_OPTION',
    );
    pointGrids = o.pointGrids;
  } else {
    const pointsPerSide = count('pointsPerSide', o.pointsPerSide, AMG_DEFAULTS.pointsPerSide, 1);
    checkLimit('AMG option pointsPerSide', pointsPerSide, DEFAULT_LIMITS.maxPointsPerSide, 'maxPointsPerSide', 'BAD_OPTION');
    const grids: GridPoint[][] = [];
    let total = 0;
    for (let i = 0; i <= cropNLayers; i++) {
      const n = Math.trunc(pointsPerSide / cropNPointsDownscaleFactor ** i);
      if (n < 1) bad('cropNPointsDownscaleFactor', `leaves no points on crop layer ${i} (pointsPerSide ${pointsPerSide})`, cropNPointsDownscaleFactor);
      total += n * n;
      checkLimit('AMG grids: number of points over all crop layers', total, DEFAULT_LIMITS.maxGridPoints, 'maxGridPoints', 'BAD_OPTION');
      grids.push(buildGrid(n));
    }
    pointGrids = grids;
  }
  const outputMode = o.outputMode ?? AMG_DEFAULTS.outputMode;
  if (outputMode !== 'coco_rle' && outputMode !== 'uncompressed_rle' && outputMode !== 'binary_mask') {
    bad('outputMode', "must be 'coco_rle', 'uncompressed_rle' or 'binary_mask'", outputMode);
  }
  const stabilityScoreOffset = o.stabilityScoreOffset ?? AMG_DEFAULTS.stabilityScoreOffset;
  if (typeof stabilityScoreOffset !== 'number' || !(stabilityScoreOffset >= 0) || !Number.isFinite(stabilityScoreOffset)) {
    bad('stabilityScoreOffset', 'must be a finite number >= 0', stabilityScoreOffset);
  }
  const cropOverlapRatio = o.cropOverlapRatio ?? AMG_DEFAULTS.cropOverlapRatio;
  if (typeof cropOverlapRatio !== 'number' || !(cropOverlapRatio >= 0 && cropOverlapRatio < 1)) {
    bad('cropOverlapRatio', 'must be a number in [0, 1)', cropOverlapRatio);
  }
  const minMaskRegionArea = o.minMaskRegionArea ?? AMG_DEFAULTS.minMaskRegionArea;
  if (typeof minMaskRegionArea !== 'number' || !(minMaskRegionArea >= 0) || !Number.isFinite(minMaskRegionArea)) {
    bad('minMaskRegionArea', 'must be a finite number >= 0 (pixels)', minMaskRegionArea);
  }
  return {
    pointGrids,
    pointsPerBatch: count('pointsPerBatch', o.pointsPerBatch, AMG_DEFAULTS.pointsPerBatch, 1),
    predIouThresh: unit('predIouThresh', o.predIouThresh, AMG_DEFAULTS.predIouThresh),
    stabilityScoreThresh: unit('stabilityScoreThresh', o.stabilityScoreThresh, AMG_DEFAULTS.stabilityScoreThresh),
    stabilityScoreOffset,
    boxNmsThresh: unit('boxNmsThresh', o.boxNmsThresh, AMG_DEFAULTS.boxNmsThresh),
    cropNLayers,
    cropNmsThresh: unit('cropNmsThresh', o.cropNmsThresh, AMG_DEFAULTS.cropNmsThresh),
    cropOverlapRatio,
    cropNPointsDownscaleFactor,
    minMaskRegionArea,
    outputMode,
    polygons: o.polygons === true,
    skipCovered: o.skipCovered === true,
    skipCoveredSimilarity: unit('skipCoveredSimilarity', o.skipCoveredSimilarity, AMG_DEFAULTS.skipCoveredSimilarity),
  };
}
