/**
 * Mask utility timings on full-resolution masks (1920×1080 and 12 MP): COCO RLE encode/compress/
 * decode, small-region cleanup, polygons, IoU, overlay rendering. Synthetic masks built here
 * (ellipses with holes and specks), so the benchmark runs without ../shared/data.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  type BinaryMask,
  type Frame,
  compressRle,
  decompressRle,
  maskIou,
  maskToBoxXywh,
  maskToPolygons,
  maskToRle,
  pngToMask,
  removeSmallRegions,
  rleToMask,
  renderOverlay,
  renderOverlayRgb,
} from '../core';
import { median, round, type BenchContext } from './BenchContext';

/** An object-like mask: a large ellipse with a hole, a second blob, and 200 one-to-few-pixel specks. */
function sceneMask(width: number, height: number): BinaryMask {
  const data = new Uint8Array(width * height); // uint8[h,w]
  const ell = (cx: number, cy: number, rx: number, ry: number, v: number): void => {
    const y0 = Math.max(0, Math.floor(cy - ry));
    const y1 = Math.min(height - 1, Math.ceil(cy + ry));
    for (let y = y0; y <= y1; y++) {
      const dy = (y + 0.5 - cy) / ry;
      if (dy * dy > 1) continue;
      const half = rx * Math.sqrt(1 - dy * dy);
      const xa = Math.max(0, Math.ceil(cx - half - 0.5));
      const xb = Math.min(width - 1, Math.floor(cx + half - 0.5));
      if (xb >= xa) data.fill(v, y * width + xa, y * width + xb + 1);
    }
  };
  ell(width * 0.4, height * 0.5, width * 0.25, height * 0.35, 1);
  ell(width * 0.38, height * 0.45, width * 0.05, height * 0.08, 0);
  ell(width * 0.8, height * 0.3, width * 0.08, height * 0.15, 1);
  let s = 12345;
  for (let k = 0; k < 200; k++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const x = s % width;
    s = (s * 1103515245 + 12345) >>> 0;
    const y = s % height;
    data[y * width + x] = data[y * width + x] ? 0 : 1;
  }
  return { width, height, data };
}

/**
 * Median wall ms and minimum CPU ms (user + system of this process) per call. On a shared 2-core
 * machine the wall time swings with other load; the CPU minimum is the steadier number.
 */
function timeMs(reps: number, fn: () => unknown): { ms: number; cpuMinMs: number } {
  fn(); // warm-up
  const times: number[] = [];
  let cpuMin = Infinity;
  for (let i = 0; i < reps; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpuMin = Math.min(cpuMin, (d.user + d.system) / 1000);
  }
  return { ms: round(median(times), 3), cpuMinMs: round(cpuMin, 3) };
}

async function timeMsAsync(reps: number, fn: () => Promise<unknown>): Promise<{ ms: number }> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return { ms: round(median(times), 3) };
}

async function measure(mask: BinaryMask, reps: number): Promise<Record<string, unknown>> {
  const { width: w, height: h } = mask;
  const rle = maskToRle(mask);
  const c = compressRle(rle);
  const shifted: BinaryMask = { width: w, height: h, data: new Uint8Array(mask.data) };
  shifted.data.copyWithin(7, 0); // the same mask moved 7 px right, for IoU
  const frame: Frame = { id: `${w}x${h}`, width: w, height: h, rgb: new Uint8Array(w * h * 3).fill(90) };
  const few = Math.max(2, reps >> 2);
  return {
    width: w,
    height: h,
    rleRuns: rle.counts.length,
    compressedChars: c.counts.length,
    maskToRle: timeMs(reps, () => maskToRle(mask)),
    maskToRleCompressRle: timeMs(reps, () => compressRle(maskToRle(mask))),
    decompressRle: timeMs(reps, () => decompressRle(c)),
    rleToMask: timeMs(reps, () => rleToMask(c)),
    maskToBoxXywh: timeMs(reps, () => maskToBoxXywh(mask)),
    maskIou: timeMs(reps, () => maskIou(mask, shifted)),
    removeSmallRegionsHoles: timeMs(reps, () => removeSmallRegions(mask, 100, 'holes')),
    removeSmallRegionsIslands: timeMs(reps, () => removeSmallRegions(mask, 100, 'islands')),
    maskToPolygons: timeMs(few, () => maskToPolygons(mask)),
    renderOverlayRgb: timeMs(few, () => renderOverlayRgb(frame, [mask], { points: [{ x: 10, y: 10, label: 1 }] })),
    renderOverlayPng: await timeMsAsync(few, () => renderOverlay(frame, [mask])),
  };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const reps = ctx.quick ? 3 : 15;
  ctx.log('1920x1080');
  const hd = await measure(sceneMask(1920, 1080), reps);
  ctx.log('4000x3000');
  const mp12 = await measure(sceneMask(4000, 3000), ctx.quick ? 2 : 5);
  const real: Record<string, unknown> = {};
  const cats = ctx.dataDir ? path.join(ctx.dataDir, 'coco-cats', 'masks') : undefined;
  if (cats && fs.existsSync(cats)) {
    for (const f of fs
      .readdirSync(cats)
      .filter((n) => n.endsWith('.png'))
      .slice(0, 1)) {
      ctx.log(`real mask ${f}`);
      real[f] = await measure(await pngToMask(path.join(cats, f)), reps);
    }
  }
  const cpu = (r: Record<string, unknown>, k: string): number => (r[k] as { cpuMinMs: number }).cpuMinMs;
  const wall = (r: Record<string, unknown>, k: string): number => (r[k] as { ms: number }).ms;
  return {
    note: 'ms = median wall per call, cpuMinMs = minimum process CPU time per call (steadier on a shared machine)',
    hd_maskToRleCompressRle_ms: wall(hd, 'maskToRleCompressRle'),
    hd_maskToRleCompressRle_cpuMinMs: cpu(hd, 'maskToRleCompressRle'),
    hd_rleToMask_ms: wall(hd, 'rleToMask'),
    hd_rleToMask_cpuMinMs: cpu(hd, 'rleToMask'),
    hd_removeSmallRegionsHoles_ms: wall(hd, 'removeSmallRegionsHoles'),
    hd_removeSmallRegionsHoles_cpuMinMs: cpu(hd, 'removeSmallRegionsHoles'),
    hd_maskToPolygons_cpuMinMs: cpu(hd, 'maskToPolygons'),
    hd_renderOverlayPng_ms: wall(hd, 'renderOverlayPng'),
    mp12_maskToRleCompressRle_cpuMinMs: cpu(mp12, 'maskToRleCompressRle'),
    mp12_removeSmallRegionsHoles_cpuMinMs: cpu(mp12, 'removeSmallRegionsHoles'),
    '1920x1080': hd,
    '4000x3000': mp12,
    realMasks: real,
  };
}
