/**
 * Offline replay of `skipCovered` rules on the recorded exhaustive decoder outputs of 20 photos
 * (bench/amgReplayRecord.ts writes them once; they are not in the repository): for each rule, the
 * decoder runs it would take and its recall against the exhaustive result (exhaustive masks matched
 * at IoU >= 0.9), per photo, for the tuning half and the confirmation half, in milliseconds per
 * photo. The skip decisions are made by the same CoverageSkipper as `generateMasks`, in the same
 * visiting order and decoder groups, so a replayed rule decodes exactly the points a real run does.
 *
 * `npm run bench -- --only amgReplay` replays the default rule (skipped when nothing is recorded);
 * `node dist/bench/amgReplay.js '{"similarity":0.9}' ...` replays CoverageSkipper option sets.
 * Env SAMFLOW_AMG_REPLAY_DIR: the cache folder (default /tmp/i15-replay); SAMFLOW_AMG_REPLAY_FILTERS=0.86,0.93
 * keeps masks by relaxed predicted-IoU / stability thresholds and counts the extra masks that brings.
 */
import {
  nonMaxSuppression,
  CoverageSkipper,
  coarseToFineOrder,
  gridLowResIndex,
  skipCoveredRule,
  AMG_DEFAULTS,
  resolveAmgOptions,
  SamTransform,
  LOW_RES_SIZE,
  type CoverageSkipperOptions,
  type BoxXyxy,
  type EmbeddedFrame,
} from '../core';
import { round, type BenchContext } from './BenchContext';
import { CONFIRMATION_PHOTOS, TUNING_PHOTOS, loadReplay, type LoadedReplay, type ReplayCandidate } from './amgReplayData';

export interface ReplayResult {
  readonly name: string;
  readonly records: number;
  readonly decodes: number;
  readonly recall: number;
  readonly missed: number;
  /** Masks of the result that match no exhaustive record at IoU >= 0.9 (counted with relaxed filters only: needs `near`). */
  readonly extra?: number;
}

/** Filters a replayed rule keeps masks by (default SAM's): e.g. relaxed ones, to see whether near misses of a neighbour recover a skipped point's mask. */
export interface ReplayFilters {
  readonly predIouThresh: number;
  readonly stabilityScoreThresh: number;
}

/** The skipper options generateMasks uses for AmgOptions (the defaults unless overridden). */
export function defaultSkipperOptions(): CoverageSkipperOptions {
  return skipCoveredRule(resolveAmgOptions({ skipCovered: true }));
}

/** Object-aware prompting in a replay: the detector boxes scoring >= minScore (at most maxBoxes, best first) as promptBoxes. */
export interface ReplayBoxes {
  readonly minScore: number;
  readonly maxBoxes: number;
}

/**
 * Replays one rule on one photo: which points it decodes (groups of `together`, batches of 64) and
 * the recall of the result; `filters` other than SAM's need recordings with `near`.
 */
export function replayRule(p: LoadedReplay, opts: CoverageSkipperOptions | undefined, together = 2, boxes?: ReplayBoxes, filters?: ReplayFilters): ReplayResult {
  const relaxed = filters !== undefined && (filters.predIouThresh !== AMG_DEFAULTS.predIouThresh || filters.stabilityScoreThresh !== AMG_DEFAULTS.stabilityScoreThresh);
  if (relaxed && !p.cands.every((c) => c.near !== undefined)) throw new Error(`${p.name}: recorded without near (record again with bench/amgReplayRecord.ts) for other filters`);
  const keeps = (c: ReplayCandidate): boolean => (relaxed && filters ? c.iou > filters.predIouThresh && c.stab >= filters.stabilityScoreThresh : c.pass);
  const matchesOf = (c: ReplayCandidate): number[] => (relaxed ? (c.near ?? []).filter(([, v]) => v >= 0.9).map(([r]) => r) : c.matches);
  const transform = new SamTransform(p.width, p.height);
  const embedded: EmbeddedFrame = {
    frame: { id: p.name, width: p.width, height: p.height, rgb: new Uint8Array(0) },
    // the replay keeps only the image features (what the skip rule compares), as SAM 1's one tensor
    embedding: { tensors: { image_embeddings: { data: p.embedding, dims: p.embeddingDims } }, features: 'image_embeddings' },
    transform,
    modelId: 'replay',
  };
  const points = p.points.map((q) => [q[0], q[1]] as const);
  const n = points.length;
  const lowIdx = gridLowResIndex(transform, points);
  const skipper = opts ? new CoverageSkipper(embedded, points, opts) : undefined;
  const order = opts ? coarseToFineOrder(n) : points.map((_, i) => i);
  const perPoint = p.cands.length / n;
  const scratch = Array.from({ length: perPoint }, () => new Float32Array(LOW_RES_SIZE * LOW_RES_SIZE).fill(-100)); // float32[256*256]
  const kept: ReplayCandidate[] = [];
  let decodes = 0;
  const boxCovered = new Uint8Array(n);
  if (boxes) {
    const chosen = p.detections
      .map((d, i) => ({ d, i }))
      .filter((x) => x.d.score >= boxes.minScore)
      .slice(0, boxes.maxBoxes);
    for (const { i } of chosen) {
      decodes++;
      p.boxCands.forEach((c, ci) => {
        if (c.k !== -1 - i || c.t !== 0 || !c.pass) return;
        kept.push(c);
        for (let q = 0; q < n; q++) if (p.boxLogits[ci * n + q] > 1) boxCovered[q] = 1;
      });
    }
  }
  const batch = AMG_DEFAULTS.pointsPerBatch;
  const takeIn = (group: readonly number[]): void => {
    for (const k of group) {
      decodes++;
      const infos = [];
      for (let j = 0; j < perPoint; j++) {
        const ci = k * perPoint + j;
        const c = p.cands[ci];
        const l = scratch[j];
        for (let q = 0; q < n; q++) l[lowIdx[q]] = p.gridLogits[ci * n + q];
        infos.push({ lowResLogits: l, predictedIou: c.iou, stabilityScore: c.stab });
        if (keeps(c)) kept.push(c);
      }
      skipper?.addDecoded(k, infos);
    }
  };
  // as generateMasks: two groups in flight, so a group's decisions see the groups before the last
  // one; each batch is taken in whole at its end
  for (let start = 0; start < n; start += batch) {
    const slice = order.slice(start, start + batch);
    let pending: number[] | undefined;
    for (let g = 0; g < slice.length;) {
      const group: number[] = [];
      while (g < slice.length && group.length < together) {
        const k = slice[g++];
        if (boxCovered[k] !== 1 && !skipper?.isExplained(k)) group.push(k);
      }
      if (group.length === 0) continue;
      if (pending) takeIn(pending);
      pending = group;
    }
    if (pending) takeIn(pending);
  }
  const keep = nonMaxSuppression(
    kept.map((c) => c.box as unknown as BoxXyxy),
    kept.map((c) => c.iou),
    AMG_DEFAULTS.boxNmsThresh,
  );
  const hit = new Set<number>();
  let extra = 0;
  for (const j of keep) {
    const m = matchesOf(kept[j]);
    for (const r of m) hit.add(r);
    if (m.length === 0) extra++;
  }
  const records = p.records.length;
  return { name: p.name, records, decodes, recall: records === 0 ? 1 : hit.size / records, missed: records - hit.size, ...(relaxed ? { extra } : {}) };
}

function summary(rs: readonly ReplayResult[]): Record<string, number> {
  return {
    decodes: rs.reduce((s, r) => s + r.decodes, 0),
    meanDecodeRatio: round(rs.reduce((s, r) => s + r.decodes / 1024, 0) / Math.max(1, rs.length), 3),
    maxDecodes: Math.max(...rs.map((r) => r.decodes)),
    missed: rs.reduce((s, r) => s + r.missed, 0),
    minRecall: round(Math.min(...rs.map((r) => r.recall)), 3),
    below095: rs.filter((r) => r.recall < 0.95).length,
    ...(rs.some((r) => r.extra !== undefined) ? { extra: rs.reduce((s, r) => s + (r.extra ?? 0), 0) } : {}),
  };
}

function loadAll(names: readonly string[]): LoadedReplay[] {
  return names.map(loadReplay).filter((p): p is LoadedReplay => p !== undefined);
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const tuning = loadAll(TUNING_PHOTOS);
  const confirmation = loadAll(CONFIRMATION_PHOTOS);
  if (tuning.length + confirmation.length === 0) return { skipped: 'nothing recorded (node dist/bench/amgReplayRecord.js)' };
  const opts = defaultSkipperOptions();
  const t = tuning.map((p) => replayRule(p, opts));
  const c = confirmation.map((p) => replayRule(p, opts));
  ctx.log(`tuning ${JSON.stringify(summary(t))}; confirmation ${JSON.stringify(summary(c))}`);
  return { rule: opts, tuning: { photos: t, ...summary(t) }, confirmation: { photos: c, ...summary(c) } };
}

if (require.main === module) {
  const sets = process.argv.slice(2).map((a) => ({ ...defaultSkipperOptions(), ...(JSON.parse(a) as Partial<CoverageSkipperOptions>) }));
  const half = process.env['SAMFLOW_AMG_REPLAY_HALF'] ?? 'tuning';
  const photos = loadAll(half === 'both' ? [...TUNING_PHOTOS, ...CONFIRMATION_PHOTOS] : half === 'confirmation' ? CONFIRMATION_PHOTOS : TUNING_PHOTOS);
  const verbose = process.env['SAMFLOW_AMG_REPLAY_VERBOSE'] === '1';
  const boxEnv = process.env['SAMFLOW_AMG_REPLAY_BOXES']; // "minScore,maxBoxes"
  const boxes = boxEnv ? { minScore: Number(boxEnv.split(',')[0]), maxBoxes: Number(boxEnv.split(',')[1] ?? 20) } : undefined;
  const noSkip = process.env['SAMFLOW_AMG_REPLAY_NOSKIP'] === '1';
  const filterEnv = process.env['SAMFLOW_AMG_REPLAY_FILTERS']; // "predIouThresh,stabilityScoreThresh": keep masks (and classify explainers) by these
  const filters = filterEnv ? { predIouThresh: Number(filterEnv.split(',')[0]), stabilityScoreThresh: Number(filterEnv.split(',')[1]) } : undefined;
  for (const s of sets.length ? sets : [defaultSkipperOptions()]) {
    const rule = filters ? { ...s, ...filters } : s;
    const rs = photos.map((p) => replayRule(p, noSkip ? undefined : rule, 2, boxes, filters));
    const { predIouThresh: _a, stabilityScoreThresh: _b, ...shown } = s;
    console.log(JSON.stringify(shown), JSON.stringify(summary(rs)));
    if (verbose)
      for (const r of rs)
        console.log(`  ${r.name.padEnd(40)} ${r.decodes} decodes, ${r.records} records, recall ${round(r.recall, 3)}${r.extra !== undefined ? `, ${r.extra} extra` : ''}`);
  }
}
