/**
 * Automatic mask generation ("segment everything") on real photos: wall time of SAM's exhaustive
 * 32×32 grid (3 masks per point) vs `skipCovered`, alternated per photo in one process, decoder
 * runs, and recall = share of the exhaustive masks matched by a skipCovered mask at mask IoU >= 0.9
 * (full-resolution masks). Needs ../shared/data/photos.
 * Env SAMFLOW_BENCH_AMG_HALF=tuning|confirmation|all picks the 20-photo replay set's halves
 * (bench/amgReplayData.ts; the README's table); SAMFLOW_BENCH_AMG_IMAGES=a.png,b.jpg (paths under photos/) picks other photos;
 * SAMFLOW_BENCH_AMG_BOXES=1 also runs object-aware prompting (the COCO detector's boxes as
 * promptBoxes, then the grid; its time includes the detector) with and without skipCovered;
 * SAMFLOW_BENCH_AMG_SIMILARITIES=0.88,0.92 compares skipCoveredSimilarity values against one exhaustive run;
 * SAMFLOW_BENCH_AMG_WORKERS=N sets the decoder worker threads (default: as the CLI, one per core, at most 4).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  decodeImage,
  loadSamModel,
  maskIou,
  rleToMask,
  generateMasks,
  AMG_DEFAULTS,
  type AmgOptions,
  isCompressedRle,
  type AmgRecord,
  type BinaryMask,
  type BoxXyxy,
  loadCocoDetector,
} from '../core';
import { amgDecoderWorkers } from '../cli/modelOptions';
import { round, type BenchContext } from './BenchContext';
import { CONFIRMATION_PHOTOS, REPLAY_PHOTOS, TUNING_PHOTOS } from './amgReplayData';
import { detectionBoxes } from '../cli/everything';

const DEFAULT_IMAGES = ['python3-skimage/coffee.png', 'python3-skimage/astronaut.png', 'opencv-doc/fruits.jpg'];

function masksOf(records: readonly AmgRecord[]): BinaryMask[] {
  return records.map((r) => {
    if (!isCompressedRle(r.segmentation)) throw new Error('bench expects coco_rle records');
    return rleToMask(r.segmentation);
  });
}

/** Share of `reference` masks matched by some mask of `got` at IoU >= thresh (1 when reference is empty). */
export function maskRecall(reference: readonly BinaryMask[], got: readonly BinaryMask[], thresh = 0.9): number {
  if (reference.length === 0) return 1;
  let hit = 0;
  for (const r of reference) if (got.some((g) => maskIou(r, g) >= thresh)) hit++;
  return hit / reference.length;
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  if (!ctx.dataDir) return { skipped: 'no ../shared/data' };
  const photos = path.join(ctx.dataDir, 'photos');
  const env = process.env['SAMFLOW_BENCH_AMG_IMAGES'];
  const half = process.env['SAMFLOW_BENCH_AMG_HALF'];
  const halves: Record<string, readonly string[]> = { tuning: TUNING_PHOTOS, confirmation: CONFIRMATION_PHOTOS, all: REPLAY_PHOTOS };
  if (half !== undefined && !(half in halves)) throw new Error(`SAMFLOW_BENCH_AMG_HALF must be tuning, confirmation or all, got ${half}`);
  const names = env ? env.split(',') : half ? halves[half] : ctx.quick ? DEFAULT_IMAGES.slice(0, 1) : DEFAULT_IMAGES;
  const withBoxes = process.env['SAMFLOW_BENCH_AMG_BOXES'] === '1';
  const detector = withBoxes ? await loadCocoDetector() : undefined;
  // as `samflow everything` runs: the decoder's prompt stage on worker threads (2 on 2 cores)
  const decoderWorkers = Number(process.env['SAMFLOW_BENCH_AMG_WORKERS'] ?? amgDecoderWorkers());
  const model = await loadSamModel({ decoderWorkers });
  const results: Record<string, unknown>[] = [];
  try {
    for (const name of names) {
      const file = path.join(photos, name);
      if (!fs.existsSync(file)) {
        ctx.log(`skip ${name}: not found`);
        continue;
      }
      const frame = await decodeImage(file);
      const timed = async (opts: AmgOptions & { promptBoxes?: readonly BoxXyxy[] }): Promise<{ s: number; decoded: number; records: AmgRecord[] }> => {
        let decoded = 0;
        const t0 = performance.now();
        const records = await generateMasks(model, frame, { ...opts, onProgress: (p) => (decoded = p.decoded) });
        return { s: (performance.now() - t0) / 1000, decoded, records };
      };
      ctx.log(`${name}: exhaustive 32x32 (about a minute)`);
      const ex = await timed({ pointsPerSide: 32 });
      ctx.log(`${name}: exhaustive ${round(ex.s, 1)} s, ${ex.records.length} masks; skipCovered`);
      const similarities = (process.env['SAMFLOW_BENCH_AMG_SIMILARITIES'] ?? String(AMG_DEFAULTS.skipCoveredSimilarity)).split(',').map(Number);
      const reference = masksOf(ex.records);
      for (const skipCoveredSimilarity of similarities) {
        const sk = await timed({ pointsPerSide: 32, skipCovered: true, skipCoveredSimilarity });
        const recall = maskRecall(reference, masksOf(sk.records));
        ctx.log(`${name}: skipCovered (similarity ${skipCoveredSimilarity}) ${round(sk.s, 1)} s, ${sk.decoded} decodes, ${sk.records.length} masks, recall ${round(recall, 3)}`);
        const boxes: Record<string, unknown> = {};
        if (detector) {
          for (const skipCovered of [false, true]) {
            const t0 = performance.now();
            const promptBoxes = detectionBoxes(await detector.detect(frame), frame);
            const detectSeconds = (performance.now() - t0) / 1000;
            const bx = await timed({ pointsPerSide: 32, skipCovered, skipCoveredSimilarity, promptBoxes });
            const r = maskRecall(reference, masksOf(bx.records));
            const key = skipCovered ? 'boxesSkipCovered' : 'boxes';
            boxes[key] = { boxes: promptBoxes.length, seconds: round(bx.s + detectSeconds, 2), decodes: bx.decoded, masks: bx.records.length, recall: round(r, 3) };
            ctx.log(`${name}: ${key}: ${promptBoxes.length} boxes, ${round(bx.s + detectSeconds, 1)} s, ${bx.decoded} decodes, recall ${round(r, 3)}`);
          }
        }
        results.push({
          image: name,
          ...boxes,
          size: `${frame.width}x${frame.height}`,
          skipCoveredSimilarity,
          exhaustiveSeconds: round(ex.s, 2),
          exhaustiveDecodes: ex.decoded,
          exhaustiveMasks: ex.records.length,
          skipCoveredSeconds: round(sk.s, 2),
          skipCoveredDecodes: sk.decoded,
          skipCoveredMasks: sk.records.length,
          recallAtIou09: round(recall, 3),
          speedup: round(ex.s / sk.s, 2),
          timeRatio: round(sk.s / ex.s, 3),
        });
      }
    }
  } finally {
    await detector?.release();
    await model.release();
  }
  const bySimilarity: Record<string, unknown> = {};
  for (const sim of new Set(results.map((r) => Number(r['skipCoveredSimilarity'])))) {
    const rs = results.filter((r) => r['skipCoveredSimilarity'] === sim);
    const mean = (k: string): number => rs.reduce((s, r) => s + Number(r[k]), 0) / rs.length;
    bySimilarity[String(sim)] = {
      meanRecall: round(mean('recallAtIou09'), 3),
      minRecall: Math.min(...rs.map((r) => Number(r['recallAtIou09']))),
      meanSkipCoveredSeconds: round(mean('skipCoveredSeconds'), 2),
      meanSkipCoveredDecodes: round(mean('skipCoveredDecodes'), 0),
      meanExhaustiveSeconds: round(mean('exhaustiveSeconds'), 2),
      maxTimeRatio: round(Math.max(...rs.map((r) => Number(r['skipCoveredSeconds']) / Number(r['exhaustiveSeconds']))), 3),
      totalTimeRatio: round(mean('skipCoveredSeconds') / mean('exhaustiveSeconds'), 3),
    };
  }
  return {
    goal: 'skipCovered <= 0.4x the exhaustive 32x32 3-mask time on 2 cores, recall >= 0.95 on every photo (exhaustive masks matched at IoU >= 0.9)',
    decoderWorkers,
    images: results,
    bySimilarity,
  };
}
