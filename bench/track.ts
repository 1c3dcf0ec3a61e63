/**
 * Tracking quality on DAVIS-2016 (../shared/data/davis): start each sequence from the ground-truth
 * box on frame 0, follow it with trackMasks, report mean J (mask IoU vs GT over frames 1..n-1) per
 * sequence and prompt mode. Each frame is encoded once and the embeddings are shared by all modes.
 * The protocol lives in core/eval (evaluateVideo, trackSequenceJ), shared with `samflow eval video`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchContext } from './BenchContext';
import { round } from './BenchContext';
import { evaluateVideo, TRACK_PROMPT_MODES, listDavisSequences, maskExtentXyxy, pngToMask, loadSamModel, type BinaryMask, type BoxXyxy } from '../core';

export { trackSequenceJ } from '../core/eval/trackSequenceJ';

/** A DAVIS annotation (> 127 = the object). */
export function loadGtMask(file: string): Promise<BinaryMask> {
  return pngToMask(file, 127);
}

/** The ground-truth box [x0, y0, x1 + 1, y1 + 1] of a non-empty mask. */
export function gtBox(mask: BinaryMask): BoxXyxy {
  const box = maskExtentXyxy(mask);
  if (!box) throw new Error('gtBox: the mask is empty');
  return box;
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  if (!ctx.dataDir || !fs.existsSync(path.join(ctx.dataDir, 'davis'))) return { skipped: 'no ../shared/data/davis' };
  const root = path.join(ctx.dataDir, 'davis');
  const all = listDavisSequences(root, ctx.quick ? { limitFrames: 10 } : {});
  const sequences = ctx.quick ? all.slice(0, 2) : all;
  const model = await loadSamModel();
  try {
    const result = await evaluateVideo(model, sequences, {
      promptModes: TRACK_PROMPT_MODES,
      onSequence: (s) => ctx.log(`${s.id}: ${s.modes.map((m) => `${m.promptMode} J=${round(m.meanJ, 3)}`).join('  ')}`),
    });
    const perSeq: Record<string, Record<string, unknown>> = {};
    for (const s of result.sequences) {
      const row: Record<string, unknown> = { frames: s.frames };
      for (const m of s.modes) {
        row[m.promptMode] = round(m.meanJ, 3);
        row[`${m.promptMode}:lost`] = m.lostFrames;
        row[`${m.promptMode}:msPerFrame`] = round(m.msPerFrame, 1);
      }
      perSeq[s.id] = row;
    }
    const meanJ = Object.fromEntries(result.meanJ.map((m) => [m.promptMode, round(m.meanJ, 3)]));
    return { sequences: perSeq, meanJ, encoderMsPerFrame: round(result.encodeMsPerFrame, 0), quick: ctx.quick };
  } finally {
    await model.release();
  }
}
