/**
 * Is the process responsive while SAM works (issue 12)? Event-loop delay
 * (perf_hooks.monitorEventLoopDelay, p50/p99/max ms) of this process
 *   amg      during a 32×32 `everything` (generateMasks, skipCovered as `samflow everything
 *            --skip-covered`) on a photo,
 *   stream   during a live stream at the encoder's pace (bench/stream.ts's vtest.avi at 25 fps,
 *            policy 'latest', one click per processed frame),
 * and of a real Node-RED runtime (child process)
 *   nodeRed  running the camera-stream example (re-injected every 4 s): GET /flows latency
 *            p50/p95 idle vs while the encoder is busy, and the runtime's own event-loop delay
 *            (a settings.js probe, see NodeRedChild),
 * plus, alternated in one run,
 *   compare  encoder ms (runEncoder on a prepared tensor) and per-prompt decoder ms (decodeMasks),
 *   overlap  frames/s of a photo stream (encode + N clicks per frame) where the encode of frame
 *            n+1 overlaps the decodes of frame n vs strictly serialized.
 * amg, stream, compare and overlap run per model mode (`modelModes`: the worker-thread host and
 * `inProcess: true`); nodeRed runs what the sam-model node loads (the default). Sizes (env):
 *   SAMFLOW_BENCH_THREADS_PARTS=amg,stream,nodeRed,compare,overlap  (default: all)
 *   SAMFLOW_BENCH_THREADS_AMG_SIDE (32; --quick 16)   SAMFLOW_BENCH_THREADS_AMG_EXHAUSTIVE=1 (no skipCovered)
 *   SAMFLOW_BENCH_THREADS_STREAM_FRAMES (250 = 10 s; --quick 100)
 *   SAMFLOW_BENCH_THREADS_RED_SECONDS (15 s idle and 15 s busy; --quick 8)
 *   SAMFLOW_BENCH_THREADS_ROUNDS (compare: 6; --quick 3)   SAMFLOW_BENCH_THREADS_PROMPTS (8 per frame)
 *   SAMFLOW_BENCH_THREADS_FRAMES (overlap: 8 frames per run; --quick 4)
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import {
  generateMasks,
  decodeImage,
  preprocessImage,
  decodeMasks,
  encodeImage,
  loadSamModel,
  type SamModelOptions,
  type SamModel,
  type EmbeddedFrame,
  type Frame,
  type SamPrompt,
} from '../core';
import { amgDecoderWorkers } from '../cli/modelOptions';
import { median, percentile, round, type BenchContext } from './BenchContext';
import { measureEventLoopDelay, type EventLoopDelay } from './eventLoopDelay';
import { NodeRedChild } from './NodeRedChild';
import { streamRun } from './stream';

/** A way to load the model: the worker-thread host (the default) or the in-thread sessions. */
export interface ModelMode {
  readonly name: string;
  readonly options: SamModelOptions;
}

/** The modes every model part runs in: the host first (ratios are host / in-thread). */
export function modelModes(): ModelMode[] {
  return [
    { name: 'host', options: {} },
    { name: 'inThread', options: { inProcess: true } },
  ];
}

/**
 * AMG's options in a mode: as `samflow everything` loads the model (decoderWorkers prompt-stage
 * workers) for the host; the in-thread model has no workers (inProcess excludes decoderWorkers).
 */
function amgOptions(mode: ModelMode): SamModelOptions {
  return mode.options.inProcess ? mode.options : { ...mode.options, decoderWorkers: amgDecoderWorkers() };
}

const PARTS = ['amg', 'stream', 'nodeRed', 'compare', 'overlap'] as const;
type Part = (typeof PARTS)[number];

/** The parts named in SAMFLOW_BENCH_THREADS_PARTS (comma list), all when unset. */
export function selectedParts(env: string | undefined): Part[] {
  if (!env) return [...PARTS];
  const names = env
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(PARTS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`SAMFLOW_BENCH_THREADS_PARTS: unknown part(s) ${unknown.join(', ')}; use ${PARTS.join(',')}`);
  return PARTS.filter((p) => names.includes(p));
}

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${v}"`);
  return n;
}

/** "p50 / p99 / max ms" of an event-loop delay, for the table. */
export function formatDelay(d: EventLoopDelay): string {
  return `${d.p50.toFixed(1)} / ${d.p99.toFixed(1)} / ${d.max.toFixed(1)} ms`;
}

/** p50 and p95 of a list of latencies (ms), rounded to 0.1 ms. */
export function latencySummary(ms: readonly number[]): { p50: number; p95: number; max: number; n: number } {
  return { p50: round(median(ms), 1), p95: round(percentile(ms, 95), 1), max: round(ms.length ? Math.max(...ms) : NaN, 1), n: ms.length };
}

/** A grid of `n` single clicks over the middle of a `width`×`height` image (row-major, ⌈√n⌉ per row). */
export function clickGrid(width: number, height: number, n: number): SamPrompt[] {
  const side = Math.ceil(Math.sqrt(n));
  const prompts: SamPrompt[] = [];
  for (let i = 0; i < n; i++) {
    const gx = i % side;
    const gy = Math.floor(i / side);
    prompts.push({ points: [{ x: ((gx + 0.5) / side) * width, y: ((gy + 0.5) / side) * height, label: 1 }] });
  }
  return prompts;
}

/** The two stages of a frame stream, as functions (the model's, or a test's fakes). */
export interface FrameStages<E> {
  encode(frame: Frame): Promise<E>;
  decode(embedded: E, prompt: SamPrompt): Promise<unknown>;
}

/**
 * Runs every frame through encode, then its prompts through decode (issued together). `overlap`:
 * the encode of frame n+1 starts before the decodes of frame n; otherwise it starts after they end.
 * Resolves with the number of decodes.
 */
export async function runFrames<E>(stages: FrameStages<E>, frames: readonly Frame[], promptsOf: (frame: Frame) => readonly SamPrompt[], overlap: boolean): Promise<number> {
  if (frames.length === 0) return 0;
  let decodes = 0;
  let next: Promise<E> = stages.encode(frames[0]);
  for (let i = 0; i < frames.length; i++) {
    const embedded = await next;
    const more = i + 1 < frames.length;
    if (overlap && more) {
      next = stages.encode(frames[i + 1]);
      next.catch(() => undefined); // awaited on the next turn; do not report it unhandled meanwhile
    }
    const prompts = promptsOf(frames[i]);
    await Promise.all(prompts.map((p) => stages.decode(embedded, p)));
    decodes += prompts.length;
    if (!overlap && more) next = stages.encode(frames[i + 1]);
  }
  return decodes;
}

function modelStages(model: SamModel): FrameStages<EmbeddedFrame> {
  return { encode: (f) => encodeImage(model, f), decode: (e, p) => decodeMasks(model, e, p) };
}

/** Photos for the model parts: a few of ../shared/data/photos, else the repo's synthetic sample. */
async function benchFrames(ctx: BenchContext): Promise<Frame[]> {
  const names = ['python3-skimage/coffee.png', 'python3-skimage/astronaut.png', 'python3-skimage/chelsea.png', 'opencv-doc/fruits.jpg'];
  const files = ctx.dataDir ? names.map((n) => path.join(ctx.dataDir!, 'photos', n)).filter((f) => fs.existsSync(f)) : [];
  if (files.length === 0) files.push(path.join(ctx.repoRoot, 'flows', 'assets', 'sample.png'));
  return Promise.all(files.map((f) => decodeImage(f)));
}

/** A distinct Frame per stream position (same pixels, own id), cycling through `photos`. */
function streamOf(photos: readonly Frame[], n: number): Frame[] {
  return Array.from({ length: n }, (_, i) => ({ ...photos[i % photos.length], id: `frame-${i}` }));
}

async function withModel<T>(options: SamModelOptions, work: (model: SamModel) => Promise<T>): Promise<T> {
  const model = await loadSamModel(options);
  try {
    return await work(model);
  } finally {
    await model.release();
  }
}

async function amgPart(ctx: BenchContext, photo: Frame, modes: readonly ModelMode[]): Promise<Record<string, unknown>> {
  const side = envInt('SAMFLOW_BENCH_THREADS_AMG_SIDE', ctx.quick ? 16 : 32);
  const skipCovered = process.env['SAMFLOW_BENCH_THREADS_AMG_EXHAUSTIVE'] !== '1';
  const out: Record<string, unknown> = {};
  for (const mode of modes) {
    ctx.log(`amg ${side}x${side}${skipCovered ? ' skipCovered' : ''} on ${photo.width}x${photo.height} (${mode.name})`);
    const r = await withModel(amgOptions(mode), (model) => measureEventLoopDelay(() => generateMasks(model, photo, { pointsPerSide: side, skipCovered })));
    out[`amg ${side}x${side} ${mode.name}: loop delay p50/p99/max`] = formatDelay(r.delay);
    out[`amg ${side}x${side} ${mode.name}: seconds`] = round(r.seconds, 1);
    out[`amg ${side}x${side} ${mode.name}: masks`] = r.result.length;
    out[`amg ${side}x${side} ${mode.name}: decoderWorkers`] = amgOptions(mode).decoderWorkers ?? 0;
  }
  return out;
}

async function streamPart(ctx: BenchContext, modes: readonly ModelMode[]): Promise<Record<string, unknown>> {
  const video = ctx.dataDir ? path.join(ctx.dataDir, 'video', 'vtest.avi') : undefined;
  if (!video || !fs.existsSync(video)) return { 'stream: skipped': 'no ../shared/data/video/vtest.avi' };
  const frames = envInt('SAMFLOW_BENCH_THREADS_STREAM_FRAMES', ctx.quick ? 100 : 250);
  const out: Record<string, unknown> = {};
  for (const mode of modes) {
    ctx.log(`stream: ${frames} frames of vtest.avi at 25 fps, policy 'latest' (${mode.name})`);
    const r = await measureEventLoopDelay(() => streamRun(video, frames, (m) => ctx.log(m), mode.options));
    out[`stream ${mode.name}: loop delay p50/p99/max`] = formatDelay(r.delay);
    out[`stream ${mode.name}: frames in/processed`] = `${r.result.framesIn} / ${r.result.framesProcessed}`;
    out[`stream ${mode.name}: encoder ms p50`] = r.result.encoderMs.p50;
    out[`stream ${mode.name}: latency ms p50/p95`] = `${r.result.latencyMs.p50} / ${r.result.latencyMs.p95}`;
  }
  return out;
}

/**
 * The camera-stream example alone (its tab, its nodes and the sam-model they use), as
 * scripts/start.js lays the examples out.
 */
export function cameraStreamFlows(workspace: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const tab = workspace.find((n) => n['type'] === 'tab' && n['label'] === 'camera-stream');
  if (!tab) throw new Error('examples/camera-stream.json is not in the example workspace');
  const nodes = workspace.filter((n) => n['z'] === tab['id']);
  const used = new Set(nodes.flatMap((n) => Object.values(n).filter((v): v is string => typeof v === 'string')));
  const configs = workspace.filter((n) => n['z'] === undefined && n['type'] !== 'tab' && used.has(String(n['id'])));
  return [tab, ...configs, ...nodes];
}

/** Sequential GET /flows for `seconds`, one every ~100 ms: latencies in ms. */
async function pollFlows(red: NodeRedChild, seconds: number): Promise<number[]> {
  const ms: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const t0 = performance.now();
    const res = await red.request('/flows');
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`GET /flows answered ${res.status}`);
    ms.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 100));
  }
  return ms;
}

async function nodeRedPart(ctx: BenchContext): Promise<Record<string, unknown>> {
  const seconds = envInt('SAMFLOW_BENCH_THREADS_RED_SECONDS', ctx.quick ? 8 : 15);
  const require_ = createRequire(path.join(ctx.repoRoot, 'package.json'));
  const { exampleWorkspace } = require_(path.join(ctx.repoRoot, 'scripts', 'start.js')) as { exampleWorkspace: () => Record<string, unknown>[] };
  const flows = cameraStreamFlows(exampleWorkspace());
  const inject = flows.find((n) => n['type'] === 'inject');
  if (!inject) throw new Error('the camera-stream example has no inject node');
  ctx.log('node-red: starting a runtime with the camera-stream example');
  const red = await NodeRedChild.start({ repoRoot: ctx.repoRoot, flows, delayProbe: true });
  try {
    const burst = async (): Promise<void> => {
      const res = await red.request(`/inject/${String(inject['id'])}`, { method: 'POST' });
      if (!res.ok) throw new Error(`POST /inject answered ${res.status}`);
    };
    // warm up: the model loads at deploy; one burst makes the sessions run once (first runs plan)
    await burst();
    await new Promise((r) => setTimeout(r, 4000));
    if (!(await red.untilIdle())) ctx.log('node-red: the runtime did not go idle after the warm-up burst; measuring anyway');
    ctx.log(`node-red: idle ${seconds} s`);
    await red.eventLoopDelay(true);
    let cpu0 = red.cpuSeconds();
    const idleFlows = await pollFlows(red, seconds);
    const idleCpu = (red.cpuSeconds() - cpu0) / seconds;
    const idleLoop = await red.eventLoopDelay(true);
    ctx.log(`node-red: camera bursts (25 fps, re-injected every 4 s) for ${seconds} s`);
    let bursting = true;
    let injectError: Error | undefined;
    const injector = (async () => {
      while (bursting) {
        await burst();
        await new Promise((r) => setTimeout(r, 4000));
      }
    })().catch((e: unknown) => {
      injectError = e instanceof Error ? e : new Error(`the camera inject failed: ${JSON.stringify(e)}`);
    });
    let busyFlows: number[];
    let busyLoop: EventLoopDelay;
    let busyCpu: number;
    try {
      cpu0 = red.cpuSeconds();
      busyFlows = await pollFlows(red, seconds);
      busyCpu = (red.cpuSeconds() - cpu0) / seconds;
      busyLoop = await red.eventLoopDelay(false);
    } finally {
      bursting = false;
      await injector;
    }
    if (injectError) throw injectError;
    if (red.exitCode !== null) throw new Error(`the runtime exited:\n${red.log.slice(-2000)}`);
    const idle = latencySummary(idleFlows);
    const busy = latencySummary(busyFlows);
    return {
      'nodeRed idle: GET /flows ms p50/p95': `${idle.p50} / ${idle.p95} (n=${idle.n})`,
      'nodeRed busy: GET /flows ms p50/p95': `${busy.p50} / ${busy.p95} (n=${busy.n})`,
      'nodeRed idle: runtime loop delay p50/p99/max': formatDelay(idleLoop),
      'nodeRed busy: runtime loop delay p50/p99/max': formatDelay(busyLoop),
      'nodeRed busy: GET /flows p95 ms': busy.p95,
      'nodeRed busy: runtime loop delay p99 ms': busyLoop.p99,
      'nodeRed idle/busy: runtime CPU (cores)': `${idleCpu.toFixed(2)} / ${busyCpu.toFixed(2)}`,
      'nodeRed runtime threads': red.threads(),
    };
  } finally {
    await red.stop();
  }
}

/** Encoder ms (runEncoder on a prepared tensor) and per-prompt decoder ms per mode, alternated round by round. */
async function comparePart(ctx: BenchContext, photo: Frame, modes: readonly ModelMode[]): Promise<Record<string, unknown>> {
  const rounds = envInt('SAMFLOW_BENCH_THREADS_ROUNDS', ctx.quick ? 3 : 6);
  const nPrompts = envInt('SAMFLOW_BENCH_THREADS_PROMPTS', 8);
  const models = await Promise.all(modes.map((m) => loadSamModel(m.options)));
  try {
    const { input, transform } = await preprocessImage(photo, models[0].spec);
    const prompts = clickGrid(photo.width, photo.height, nPrompts);
    const enc: number[][] = modes.map(() => []);
    const dec: number[][] = modes.map(() => []);
    for (const m of models) await m.runEncoder(input.slice()); // warm-up: first runs plan and allocate
    ctx.log(`compare: ${rounds} rounds of 1 encode + ${nPrompts} prompts per mode (${modes.map((m) => m.name).join(', ')}), alternated`);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? models.map((_, i) => i) : models.map((_, i) => models.length - 1 - i);
      for (const i of order) {
        const model = models[i];
        const copy = input.slice(); // float32[1,3,1024,1024]; a host may take (transfer) its input
        const t0 = performance.now();
        const embedding = await model.runEncoder(copy);
        enc[i].push(performance.now() - t0);
        const embedded: EmbeddedFrame = { frame: photo, embedding, transform, modelId: model.id };
        for (const p of prompts) {
          const t1 = performance.now();
          await decodeMasks(model, embedded, p);
          dec[i].push(performance.now() - t1);
        }
      }
    }
    const out: Record<string, unknown> = {};
    modes.forEach((m, i) => {
      out[`compare ${m.name}: encoder ms p50`] = round(median(enc[i]), 1);
      out[`compare ${m.name}: decoder ms per prompt p50`] = round(median(dec[i]), 1);
    });
    for (let i = 1; i < modes.length; i++) {
      out[`compare encoder ${modes[0].name}/${modes[i].name}`] = round(median(enc[0]) / median(enc[i]), 3);
      out[`compare decoder ${modes[0].name}/${modes[i].name}`] = round(median(dec[0]) / median(dec[i]), 3);
    }
    return out;
  } finally {
    await Promise.all(models.map((m) => m.release()));
  }
}

/** Frames/s with and without encode/decode overlap, alternated per run, per mode. */
async function overlapPart(ctx: BenchContext, photos: readonly Frame[], modes: readonly ModelMode[]): Promise<Record<string, unknown>> {
  const nFrames = envInt('SAMFLOW_BENCH_THREADS_FRAMES', ctx.quick ? 4 : 8);
  const nPrompts = envInt('SAMFLOW_BENCH_THREADS_PROMPTS', 8);
  const out: Record<string, unknown> = {};
  for (const mode of modes) {
    await withModel(mode.options, async (model) => {
      const stages = modelStages(model);
      await stages.encode({ ...photos[0], id: 'warm-up' });
      const fps: Record<'overlapped' | 'serialized', number[]> = { overlapped: [], serialized: [] };
      for (const overlap of [true, false, false, true]) {
        const frames = streamOf(photos, nFrames);
        ctx.log(`overlap (${mode.name}): ${nFrames} frames x ${nPrompts} prompts, ${overlap ? 'overlapped' : 'serialized'}`);
        const t0 = performance.now();
        await runFrames(stages, frames, (f) => clickGrid(f.width, f.height, nPrompts), overlap);
        fps[overlap ? 'overlapped' : 'serialized'].push(nFrames / ((performance.now() - t0) / 1000));
      }
      const o = median(fps.overlapped);
      const s = median(fps.serialized);
      out[`overlap ${mode.name}: frames/s overlapped / serialized`] = `${o.toFixed(3)} / ${s.toFixed(3)}`;
      out[`overlap ${mode.name}: overlapped/serialized`] = round(o / s, 3);
    });
  }
  return out;
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const parts = selectedParts(process.env['SAMFLOW_BENCH_THREADS_PARTS']);
  const modes = modelModes();
  const photos = await benchFrames(ctx);
  let out: Record<string, unknown> = { machine: '2-core CPU shared with other work (timings noisy)', modes: modes.map((m) => m.name).join(', ') };
  for (const part of parts) {
    const t0 = performance.now();
    if (part === 'amg') out = { ...out, ...(await amgPart(ctx, photos[0], modes)) };
    if (part === 'stream') out = { ...out, ...(await streamPart(ctx, modes)) };
    if (part === 'nodeRed') out = { ...out, ...(await nodeRedPart(ctx)) };
    if (part === 'compare') out = { ...out, ...(await comparePart(ctx, photos[0], modes)) };
    if (part === 'overlap') out = { ...out, ...(await overlapPart(ctx, photos, modes)) };
    ctx.log(`${part} done in ${round((performance.now() - t0) / 1000, 1)} s`);
  }
  return out;
}
