/**
 * Mask utility timings on full-resolution masks (1920×1080 and 12 MP): COCO RLE encode/compress/
 * decode, small-region cleanup, polygons, IoU, overlay rendering. Synthetic masks built here
 * (ellipses with holes and specks), so the benchmark runs without ../shared/data.
 */
import { performance } from 'node:perf_hooks';
import type { BinaryMask, Frame } from '../core/types';
import {
  compressRle,
  decompressRle,
  maskIou,
  maskToBoxXywh,
  maskToPolygons,
  maskToRle,
  removeSmallRegions,
  rleToMask,
} from '../core/masks';
import { renderOverlay, renderOverlayRgb } from '../core/render';
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

function timeMs(reps: number, fn: () => unknown): number {
  fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return round(median(times), 3);
}

async function timeMsAsync(reps: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return round(median(times), 3);
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const reps = ctx.quick ? 3 : 15;
  const out: Record<string, unknown> = { reps, note: 'median ms per call, synthetic masks' };
  for (const [name, w, h] of [
    ['1920x1080', 1920, 1080],
    ['4000x3000', 4000, 3000],
  ] as const) {
    ctx.log(`masks ${name}`);
    const m = sceneMask(w, h);
    const rle = maskToRle(m);
    const c = compressRle(rle);
    const other = sceneMask(w, h);
    other.data.copyWithin(7, 0); // shifted copy for IoU
    const frame: Frame = { id: name, width: w, height: h, rgb: new Uint8Array(w * h * 3).fill(90) };
    const r: Record<string, unknown> = {
      rleRuns: rle.counts.length,
      compressedChars: c.counts.length,
      maskToRleMs: timeMs(reps, () => maskToRle(m)),
      maskToRleCompressMs: timeMs(reps, () => compressRle(maskToRle(m))),
      decompressRleMs: timeMs(reps, () => decompressRle(c)),
      rleToMaskMs: timeMs(reps, () => rleToMask(c)),
      maskToBoxXywhMs: timeMs(reps, () => maskToBoxXywh(m)),
      maskIouMs: timeMs(reps, () => maskIou(m, other)),
      removeSmallRegionsHolesMs: timeMs(reps, () => removeSmallRegions(m, 100, 'holes')),
      removeSmallRegionsIslandsMs: timeMs(reps, () => removeSmallRegions(m, 100, 'islands')),
      maskToPolygonsMs: timeMs(Math.max(2, reps >> 2), () => maskToPolygons(m)),
      renderOverlayRgbMs: timeMs(Math.max(2, reps >> 2), () => renderOverlayRgb(frame, [m], { points: [{ x: 10, y: 10, label: 1 }] })),
      renderOverlayPngMs: await timeMsAsync(Math.max(2, reps >> 2), () => renderOverlay(frame, [m])),
    };
    out[name] = r;
  }
  return out;
}
