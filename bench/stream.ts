/**
 * Live-stream benchmark: the street video ../shared/data/video/vtest.avi (768x576, 10 fps) played
 * at real time (-re) and resampled to 25 fps like a camera, through encodeImage with policy 'latest'
 * plus one click prompt per processed frame (decodeMasks). Reports frames in / processed / dropped,
 * end-to-end latency (frame arrival → mask) p50/p95 against the encoder time, and RSS over the run.
 * ffmpeg is read on a worker thread with dropStale (onnxruntime-node's encoder run blocks the main
 * thread; without this, frames reach the encoder one encode late). --quick: 250 frames (10 s).
 * Full: 10,000 frames (the video looped, ~7 min) for memory flatness.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lastValueFrom, map, takeWhile, tap } from 'rxjs';
import type { BenchContext } from './BenchContext';
import { median, percentile, round } from './BenchContext';
import { encodeImage as encodeOnce, fromFfmpeg, loadSamModel, operators, type PromptBatch, type SamModelOptions, type StageStats } from '../core';

const { decodeMasks, encodeImage } = operators;

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den ? num / den : NaN;
}

export interface StreamRunResult {
  framesIn: number;
  framesProcessed: number;
  framesDropped: number;
  droppedAtSource: number;
  droppedAtEncoder: number;
  latencyMs: { p50: number; p95: number; max: number };
  encoderMs: { p50: number; p95: number };
  p95OverEncoder: number;
  rssMb: { afterWarmup: number; max: number; end: number; slopeMbPer1000Frames: number };
  seconds: number;
}

export async function streamRun(video: string, frames: number, log: (m: string) => void, modelOptions: SamModelOptions = {}): Promise<StreamRunResult> {
  const model = await loadSamModel(modelOptions);
  // warm up as a long-running camera flow is warm: onnxruntime's first encoder run allocates and
  // plans (several times a normal run); a 768×576 frame, the video's size
  await encodeOnce(model, { id: 'warm-up', width: 768, height: 576, rgb: new Uint8Array(768 * 576 * 3) /* uint8[576,768,3] */ });
  const arrival = new Map<string, number>();
  const latencies: number[] = [];
  const encoderMs: number[] = [];
  let framesIn = 0;
  let staleDrops = 0;
  let dropped = 0;
  const rss: { frame: number; mb: number }[] = [];
  const t0 = Date.now();
  const sampler = setInterval(() => rss.push({ frame: framesIn, mb: process.memoryUsage().rss / 2 ** 20 }), 1000);
  const stats = (s: StageStats): void => {
    if (s.event === 'out' && s.workMs !== undefined) encoderMs.push(s.workMs);
    if (s.event === 'drop') arrival.delete(s.itemId);
    dropped = s.dropped;
  };
  let lastLog = Date.now();
  try {
    await lastValueFrom(
      fromFfmpeg(video, {
        realtime: true,
        loop: true,
        fps: 25,
        thread: 'worker',
        dropStale: true,
        onStaleDrop: (f) => {
          staleDrops++;
          framesIn = Math.max(framesIn, f.index + 1);
        },
      }).pipe(
        takeWhile((f) => f.index < frames),
        tap((f) => {
          framesIn = Math.max(framesIn, f.index + 1);
          arrival.set(f.id, performance.now());
        }),
        encodeImage(model, { policy: 'latest', stats }),
        map((embedded): PromptBatch => ({ embedded, prompts: [{ points: [{ x: embedded.frame.width / 2, y: embedded.frame.height / 2, label: 1 }] }] })),
        decodeMasks(model, { policy: 'latest', bestOnly: true, stats: (s) => s.event === 'drop' && arrival.delete(s.itemId) }),
        tap((cands) => {
          const id = cands[0]?.frameId;
          const t = id ? arrival.get(id) : undefined;
          if (id && t !== undefined) {
            latencies.push(performance.now() - t);
            arrival.delete(id);
          }
          if (Date.now() - lastLog > 30_000) {
            lastLog = Date.now();
            log(`${framesIn} frames in, ${latencies.length} processed, ${dropped + staleDrops} dropped, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);
          }
        }),
      ),
      { defaultValue: [] },
    );
  } finally {
    clearInterval(sampler);
    await model.release();
  }
  const warm = rss.filter((r) => r.frame >= Math.min(250, frames / 4));
  const enc50 = median(encoderMs);
  return {
    framesIn,
    framesProcessed: latencies.length,
    framesDropped: dropped + staleDrops,
    droppedAtSource: staleDrops,
    droppedAtEncoder: dropped,
    latencyMs: { p50: round(median(latencies), 0), p95: round(percentile(latencies, 95), 0), max: round(Math.max(...latencies), 0) },
    encoderMs: { p50: round(enc50, 0), p95: round(percentile(encoderMs, 95), 0) },
    p95OverEncoder: round(percentile(latencies, 95) / enc50, 2),
    rssMb: {
      afterWarmup: round(warm[0]?.mb ?? NaN, 0),
      max: round(Math.max(...rss.map((r) => r.mb)), 0),
      end: round(rss[rss.length - 1]?.mb ?? NaN, 0),
      slopeMbPer1000Frames: round(
        slope(
          warm.map((r) => r.frame),
          warm.map((r) => r.mb),
        ) * 1000,
        2,
      ),
    },
    seconds: round((Date.now() - t0) / 1000, 1),
  };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const video = ctx.dataDir ? path.join(ctx.dataDir, 'video', 'vtest.avi') : undefined;
  if (!video || !fs.existsSync(video)) return { skipped: 'no ../shared/data/video/vtest.avi' };
  const frames = ctx.quick ? 250 : 10_000;
  ctx.log(`playing ${frames} frames of vtest.avi at 25 fps real time (policy 'latest')`);
  const r = await streamRun(video, frames, (line) => ctx.log(line));
  return { ...r, goalP95OverEncoder: 1.5, machine: '2-core CPU shared with other work (timings noisy)' };
}
