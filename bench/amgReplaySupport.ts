/**
 * How many grid points give each exhaustive mask, from the recorded exhaustive 32×32 decodes
 * (bench/amgReplayRecord.ts): the bound any `skipCovered` rule runs into. Per photo:
 * - `support1` / `support3`: exhaustive records that only 1 / at most 3 of the 1024 grid points give
 *   (a passing mask matching the record at IoU >= 0.9);
 * - `isolated`: support-1 records for which none of the point's 8 grid neighbours decodes any mask
 *   within IoU 0.75 of the record (needs recordings with `near`): a rule can only find these by
 *   decoding that very point, and nothing decoded nearby predicts them;
 * - `missesAllowed`: how many records a rule may miss and keep recall >= 0.95;
 * - `greedyCover`: grid points a greedy set cover needs to hit every record (an oracle's decodes).
 * `npm run bench -- --only amgReplaySupport` (skipped when nothing is recorded).
 */
import type { BenchContext } from './BenchContext';
import { CONFIRMATION_PHOTOS, TUNING_PHOTOS, loadReplay, type LoadedReplay } from './amgReplayData';

export interface ReplaySupport {
  readonly name: string;
  readonly records: number;
  readonly support1: number;
  readonly support3: number;
  /** Undefined for recordings without `near`. */
  readonly isolated?: number;
  readonly missesAllowed: number;
  readonly greedyCover: number;
}

const SIDE = 32;

export function replaySupport(p: LoadedReplay): ReplaySupport {
  const n = p.points.length;
  const perPoint = p.cands.length / n;
  const records = p.records.length;
  const support = Array.from({ length: records }, () => new Set<number>());
  for (const c of p.cands) if (c.pass && c.k >= 0) for (const r of c.matches) support[r].add(c.k);
  const hasNear = p.cands.every((c) => c.near !== undefined);
  let isolated = 0;
  for (let r = 0; r < records; r++) {
    if (support[r].size !== 1 || !hasNear || n !== SIDE * SIDE) continue;
    const q = [...support[r]][0];
    const qi = Math.floor(q / SIDE);
    const qj = q % SIDE;
    let best = 0;
    for (let di = -1; di <= 1; di++) {
      for (let dj = -1; dj <= 1; dj++) {
        const i = qi + di;
        const j = qj + dj;
        if ((di === 0 && dj === 0) || i < 0 || j < 0 || i >= SIDE || j >= SIDE) continue;
        for (let t = 0; t < perPoint; t++) for (const [rr, v] of p.cands[(i * SIDE + j) * perPoint + t].near ?? []) if (rr === r && v > best) best = v;
      }
    }
    if (best < 0.75) isolated++;
  }
  // greedy set cover: the grid point hitting most records not yet hit, until all are hit
  const byPoint = new Map<number, number[]>();
  support.forEach((ks, r) => ks.forEach((k) => byPoint.set(k, [...(byPoint.get(k) ?? []), r])));
  const left = new Set(support.keys());
  let greedyCover = 0;
  while (left.size > 0) {
    let best = -1;
    let bestHits = 0;
    for (const [k, rs] of byPoint) {
      const hits = rs.filter((r) => left.has(r)).length;
      if (hits > bestHits) {
        bestHits = hits;
        best = k;
      }
    }
    if (best < 0) break;
    for (const r of byPoint.get(best) ?? []) left.delete(r);
    greedyCover++;
  }
  return {
    name: p.name,
    records,
    support1: support.filter((s) => s.size === 1).length,
    support3: support.filter((s) => s.size <= 3).length,
    ...(hasNear ? { isolated } : {}),
    missesAllowed: Math.floor(records * 0.05 + 1e-9),
    greedyCover,
  };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const half = (names: readonly string[]): ReplaySupport[] =>
    names
      .map(loadReplay)
      .filter((p): p is LoadedReplay => p !== undefined)
      .map(replaySupport);
  const tuning = half(TUNING_PHOTOS);
  const confirmation = half(CONFIRMATION_PHOTOS);
  if (tuning.length + confirmation.length === 0) return { skipped: 'nothing recorded (node dist/bench/amgReplayRecord.js)' };
  for (const s of [...tuning, ...confirmation]) {
    ctx.log(
      `${s.name}: ${s.records} records, ${s.support1} from one grid point (${s.isolated ?? '?'} isolated), ${s.support3} from <= 3, ${s.missesAllowed} misses allowed, greedy cover ${s.greedyCover}`,
    );
  }
  return { tuning, confirmation };
}
