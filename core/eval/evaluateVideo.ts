import { decodeImage } from '../image/decodeImage';
import { SamflowError } from '../errors';
import { encodeImage } from '../model/encodeImage';
import type { SamModel } from '../model/SamModel';
import type { TrackPromptMode } from '../stream/TrackTypes';
import type { BinaryMask, EmbeddedFrame } from '../types';
import type { VideoSequence } from './listDavisSequences';
import { loadFrameGroundTruth } from './loadFrameGroundTruth';
import { trackSequenceJ } from './trackSequenceJ';

export const TRACK_PROMPT_MODES: readonly TrackPromptMode[] = ['box', 'box+point', 'box+mask', 'box+mask+point'];

export interface EvaluateVideoOptions {
  /** Prompt modes to score; the frames are encoded once and shared. Default ['box+mask+point'] (trackMasks' default). */
  readonly promptModes?: readonly TrackPromptMode[];
  /** Called after each sequence (progress output). */
  readonly onSequence?: (result: VideoSequenceResult, index: number, total: number) => void;
}

export interface VideoModeResult {
  readonly promptMode: TrackPromptMode;
  /** Mean J over frames 1..n-1 (a lost frame counts 0). */
  readonly meanJ: number;
  readonly perFrameJ: readonly number[];
  readonly lostFrames: number;
  /** Tracking time (decoder + post-processing) per frame. */
  readonly msPerFrame: number;
}

export interface VideoSequenceResult {
  readonly id: string;
  readonly frames: number;
  /** Image decoding + encoder time, all frames. */
  readonly encodeMs: number;
  readonly modes: readonly VideoModeResult[];
}

export interface VideoEvaluation {
  readonly modelId: string;
  readonly sequences: readonly VideoSequenceResult[];
  /** Per prompt mode: the mean over sequences of their mean J. */
  readonly meanJ: ReadonlyArray<{ readonly promptMode: TrackPromptMode; readonly meanJ: number }>;
  /** Encoder time per frame (image decoding excluded). */
  readonly encodeMsPerFrame: number;
  readonly totalMs: number;
}

/**
 * DAVIS-style tracking quality (bench/track.ts' protocol): per sequence, encode every frame once, then
 * for each prompt mode start from the ground-truth box of frame 0, follow the object with `trackMasks`
 * and score J (mask IoU) on frames 1..n-1 (`trackSequenceJ`); the headline is the mean over sequences.
 */
export async function evaluateVideo(model: SamModel, sequences: readonly VideoSequence[], opts: EvaluateVideoOptions = {}): Promise<VideoEvaluation> {
  const modes = opts.promptModes ?? ['box+mask+point'];
  const bad = modes.filter((m) => !TRACK_PROMPT_MODES.includes(m));
  if (modes.length === 0 || bad.length > 0) {
    throw new SamflowError('BAD_OPTION', `evaluateVideo: promptModes must be some of ${TRACK_PROMPT_MODES.join(', ')}; got ${JSON.stringify(modes)}`);
  }
  const results: VideoSequenceResult[] = [];
  let encoderMs = 0;
  let encodes = 0;
  const tStart = performance.now();
  for (let s = 0; s < sequences.length; s++) {
    const seq = sequences[s];
    const t0 = performance.now();
    const embedded: EmbeddedFrame[] = [];
    const gts: BinaryMask[] = [];
    for (const f of seq.frames) {
      const frame = await decodeImage(f.imagePath, { id: `${seq.id}/${f.id}` });
      const te = performance.now();
      embedded.push(await encodeImage(model, frame));
      encoderMs += performance.now() - te;
      encodes++;
      gts.push(await loadFrameGroundTruth(f.maskPath, frame, f.imagePath));
    }
    const encodeMs = performance.now() - t0;
    const modeResults: VideoModeResult[] = [];
    for (const promptMode of modes) {
      const tm = performance.now();
      const r = await trackSequenceJ(model, embedded, gts, promptMode);
      modeResults.push({ promptMode, meanJ: r.meanJ, perFrameJ: r.perFrameJ, lostFrames: r.lostFrames, msPerFrame: (performance.now() - tm) / seq.frames.length });
    }
    const result: VideoSequenceResult = { id: seq.id, frames: seq.frames.length, encodeMs, modes: modeResults };
    results.push(result);
    opts.onSequence?.(result, s, sequences.length);
  }
  return {
    modelId: model.id,
    sequences: results,
    meanJ: modes.map((promptMode, m) => ({
      promptMode,
      meanJ: results.length === 0 ? 0 : results.reduce((sum, r) => sum + r.modes[m].meanJ, 0) / results.length,
    })),
    encodeMsPerFrame: encodes === 0 ? 0 : encoderMs / encodes,
    totalMs: performance.now() - tStart,
  };
}
