/**
 * Tracking quality on DAVIS-2016 (../shared/data/davis): start each sequence from the ground-truth
 * box on frame 0, follow it with trackMasks, report mean J (mask IoU vs GT over frames 1..n-1) per
 * sequence and prompt mode. Each frame is encoded once and the embeddings are shared by all modes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import sharp from 'sharp';
import type { BenchContext } from './BenchContext';
import { round } from './BenchContext';
import { decodeImage } from '../core/image/decodeImage';
import { encodeImage } from '../core/model/encodeImage';
import { loadSamModel } from '../core/model/loadSamModel';
import { maskIou } from '../core/masks/maskIou';
import { trackMasks } from '../core/stream/trackMasks';
import type { TrackPromptMode } from '../core/stream/TrackTypes';
import type { BinaryMask, BoxXyxy, EmbeddedFrame } from '../core/types';

const MODES: readonly TrackPromptMode[] = ['box', 'box+point', 'box+mask', 'box+mask+point'];

export async function loadGtMask(file: string): Promise<BinaryMask> {
  const { data, info } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  const out = new Uint8Array(info.width * info.height); // uint8[h,w]
  for (let i = 0; i < out.length; i++) out[i] = data[i * info.channels]! > 127 ? 1 : 0;
  return { width: info.width, height: info.height, data: out };
}

export function gtBox(mask: BinaryMask): BoxXyxy {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[y * mask.width + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return [x0, y0, x1 + 1, y1 + 1];
}

/** Mean J over frames 1..n-1 of one tracking run (a lost object counts as an empty mask: J 0). */
export async function trackSequenceJ(
  model: Parameters<typeof trackMasks>[0],
  embedded: readonly EmbeddedFrame[],
  gts: readonly BinaryMask[],
  promptMode: TrackPromptMode,
): Promise<{ meanJ: number; lostFrames: number }> {
  const out = await lastValueFrom(
    from(embedded).pipe(trackMasks(model, { objects: [{ id: 'obj', box: gtBox(gts[0]!) }], promptMode }), toArray()),
  );
  let sum = 0;
  let lost = 0;
  for (let t = 1; t < out.length; t++) {
    const o = out[t]!.objects[0]!;
    if (o.mask) sum += maskIou(o.mask, gts[t]!);
    else lost++;
  }
  return { meanJ: sum / Math.max(1, out.length - 1), lostFrames: lost };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  if (!ctx.dataDir || !fs.existsSync(path.join(ctx.dataDir, 'davis'))) return { skipped: 'no ../shared/data/davis' };
  const root = path.join(ctx.dataDir, 'davis');
  const seqs = fs.readdirSync(path.join(root, 'JPEGImages/480p')).sort();
  const useSeqs = ctx.quick ? seqs.slice(0, 2) : seqs;
  const maxFrames = ctx.quick ? 10 : Infinity;
  const model = await loadSamModel();
  const perSeq: Record<string, Record<string, unknown>> = {};
  const sums: Record<string, number> = Object.fromEntries(MODES.map((m) => [m, 0]));
  let encodeMs = 0;
  let encodes = 0;
  try {
    for (const seq of useSeqs) {
      const files = fs.readdirSync(path.join(root, 'JPEGImages/480p', seq)).filter((f) => f.endsWith('.jpg')).sort().slice(0, maxFrames);
      const embedded: EmbeddedFrame[] = [];
      const gts: BinaryMask[] = [];
      for (const f of files) {
        const frame = await decodeImage(path.join(root, 'JPEGImages/480p', seq, f));
        const t0 = performance.now();
        embedded.push(await encodeImage(model, frame));
        encodeMs += performance.now() - t0;
        encodes++;
        gts.push(await loadGtMask(path.join(root, 'Annotations/480p', seq, f.replace(/\.jpg$/, '.png'))));
      }
      const row: Record<string, unknown> = { frames: files.length };
      for (const mode of MODES) {
        const t0 = performance.now();
        const r = await trackSequenceJ(model, embedded, gts, mode);
        row[mode] = round(r.meanJ, 3);
        row[`${mode}:lost`] = r.lostFrames;
        row[`${mode}:msPerFrame`] = round((performance.now() - t0) / files.length, 1);
        sums[mode]! += r.meanJ;
      }
      perSeq[seq] = row;
      ctx.log(`${seq}: ${MODES.map((m) => `${m} J=${row[m]}`).join('  ')}`);
    }
  } finally {
    await model.release();
  }
  const meanJ = Object.fromEntries(MODES.map((m) => [m, round(sums[m]! / useSeqs.length, 3)]));
  return { sequences: perSeq, meanJ, encoderMsPerFrame: round(encodeMs / Math.max(1, encodes), 0), quick: ctx.quick };
}
