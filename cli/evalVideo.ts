/**
 * `samflow eval video`: DAVIS-style tracking quality. The object is given on frame 0 by its ground-truth
 * box, followed with trackMasks, and scored with J (mask IoU) on every later frame. Dispatched from cli/eval.ts.
 */
import { evaluateVideo, listDavisSequences, TRACK_PROMPT_MODES, type VideoEvaluation, type VideoSequenceResult, loadSamModel, type TrackPromptMode } from '../core';
import { UsageError, getFlag, getNumber, getString, parseArgs, type OptionSpec } from './args';
import type { CliIo } from './CliCommand';
import { MODEL_SESSION_FLAGS, modelOptionsFrom } from './modelOptions';

export const videoUsage = `usage: samflow eval video --dataset DIR [--sequences a,b] [options]

Semi-supervised video object segmentation as DAVIS scores it: each sequence starts from the ground-truth
box of its first frame, the object is followed with trackMasks, and J (mask IoU with the ground truth,
0 where the object is lost) is averaged over the later frames. Reports mean J per sequence and the mean
over sequences.

Dataset layout:
  DIR/JPEGImages/480p/<seq>/<frame>.jpg + DIR/Annotations/480p/<seq>/<frame>.png (one object, > 127)

Options:
  --dataset DIR          DAVIS root (required)
  --sequences a,b        only these sequences (default: all, by name)
  --frame-step N         every Nth frame (default 1: all)
  --limit-frames N       at most N frames per sequence (>= 2; after --frame-step)
  --prompt-mode M[,M]    what carries the mask to the next frame: box | box+point | box+mask |
                         box+mask+point (default, trackMasks' own); several, comma-separated, share the encodes
  --model ID | --encoder PATH --decoder PATH
  --threads N            onnxruntime threads (default: all cores)
  --json                 one JSON object on stdout instead of the table`;

export const VIDEO_SPEC: Readonly<Record<string, OptionSpec>> = {
  dataset: { kind: 'string' },
  sequences: { kind: 'list' },
  'frame-step': { kind: 'integer', min: 1 },
  'limit-frames': { kind: 'integer', min: 2 },
  'prompt-mode': { kind: 'list' },
  ...MODEL_SESSION_FLAGS,
  json: { kind: 'boolean' },
};

const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const r1 = (v: number): number => Math.round(v * 10) / 10;

function commaList(values: readonly string[] | undefined): string[] | undefined {
  return values
    ?.flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function formatSequence(s: VideoSequenceResult): string {
  const modes = s.modes.map((m) => `${s.modes.length > 1 ? `${m.promptMode} ` : ''}J ${m.meanJ.toFixed(3)}${m.lostFrames ? ` (lost on ${m.lostFrames})` : ''}`);
  return `${s.id.padEnd(20)} frames ${String(s.frames).padStart(3)}  ${modes.join('  ')}  ${((s.encodeMs + s.modes.reduce((t, m) => t + m.msPerFrame * s.frames, 0)) / 1000).toFixed(1)} s`;
}

export function formatVideoSummary(e: VideoEvaluation): string {
  return [
    ...e.meanJ.map((m) => `mean J ${m.meanJ.toFixed(3)} over ${e.sequences.length} sequence(s)  (prompt mode ${m.promptMode})`),
    `encoder ${e.encodeMsPerFrame.toFixed(0)} ms/frame, total ${(e.totalMs / 1000).toFixed(1)} s`,
  ].join('\n');
}

export async function runEvalVideo(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, VIDEO_SPEC);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const dataset = getString(args, 'dataset');
  if (!dataset) throw new UsageError('--dataset DIR is required');
  const sequences = commaList(args.options.get('sequences') as string[] | undefined);
  if (sequences !== undefined && sequences.length === 0) throw new UsageError('--sequences needs sequence names, e.g. --sequences blackswan,dog');
  const modes = commaList(args.options.get('prompt-mode') as string[] | undefined) ?? ['box+mask+point'];
  const badMode = modes.find((m) => !(TRACK_PROMPT_MODES as readonly string[]).includes(m));
  if (badMode !== undefined || modes.length === 0) {
    throw new UsageError(`--prompt-mode must be one of ${TRACK_PROMPT_MODES.join(', ')}, got "${badMode ?? ''}"`);
  }
  const modelOptions = modelOptionsFrom(args);
  const json = getFlag(args, 'json');
  const frameStep = getNumber(args, 'frame-step');
  const limitFrames = getNumber(args, 'limit-frames');

  const list = listDavisSequences(dataset, {
    ...(sequences !== undefined ? { sequences } : {}),
    ...(frameStep !== undefined ? { frameStep } : {}),
    ...(limitFrames !== undefined ? { limitFrames } : {}),
  });
  const model = await loadSamModel(modelOptions);
  try {
    const result = await evaluateVideo(model, list, {
      promptModes: [...new Set(modes)] as TrackPromptMode[],
      onSequence: json ? undefined : (s) => io.stdout(formatSequence(s) + '\n'),
    });
    if (json) {
      io.stdout(
        JSON.stringify({
          dataset,
          model: result.modelId,
          promptModes: result.meanJ.map((m) => m.promptMode),
          frameStep: frameStep ?? 1,
          ...(limitFrames !== undefined ? { limitFrames } : {}),
          // meanJ / a sequence's meanJ: the first --prompt-mode's; every mode's in meanJByMode / modes.
          meanJ: r3(result.meanJ[0].meanJ),
          meanJByMode: Object.fromEntries(result.meanJ.map((m) => [m.promptMode, r3(m.meanJ)])),
          sequences: result.sequences.map((s) => ({
            id: s.id,
            frames: s.frames,
            meanJ: r3(s.modes[0].meanJ),
            lostFrames: s.modes[0].lostFrames,
            modes: s.modes.map((m) => ({ promptMode: m.promptMode, meanJ: r3(m.meanJ), lostFrames: m.lostFrames, perFrameJ: m.perFrameJ.map(r3), msPerFrame: r1(m.msPerFrame) })),
            encodeMs: r1(s.encodeMs),
          })),
          timing: { encodeMsPerFrame: r1(result.encodeMsPerFrame), totalMs: r1(result.totalMs) },
        }) + '\n',
      );
    } else {
      io.stdout(`\nmodel ${result.modelId}, ${list.length} sequence(s) of ${dataset}\n${formatVideoSummary(result)}\n`);
    }
    return 0;
  } finally {
    await model.release();
  }
}
