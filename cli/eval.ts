/**
 * `samflow eval interactive|instances|video`: quality evaluations against ground truth.
 * - interactive (here): the standard click protocol (RITM/SimpleClick) on a dataset with ground-truth
 *   masks; prints per-image IoU / NoC and the means (or one JSON object with --json);
 * - instances (cli/evalInstances.ts): detector → instance masks vs ground-truth instances;
 * - video (cli/evalVideo.ts): DAVIS tracking from the frame-0 ground-truth box, mean J.
 */
import { getFlag, getNumber, getString, parseArgs, UsageError } from './args';
import type { CliIo } from './CliCommand';
import { instancesUsage, runEvalInstances } from './evalInstances';
import { runEvalVideo, videoUsage } from './evalVideo';
import { MODEL_SESSION_FLAGS, modelOptionsFrom } from './modelOptions';
import {
  loadSamModel,
  CLICK_STRATEGIES,
  evaluateInteractive,
  INTERACTIVE_DATASET_FORMATS,
  itemNoc,
  listInteractiveDataset,
  type ClickStrategy,
  type InteractiveDatasetFormat,
  type InteractiveItemResult,
  type InteractiveSummary,
} from '../core';

export const interactiveUsage = `usage: samflow eval interactive --dataset DIR --format grabcut|binary|davis [options]

The standard interactive-segmentation protocol: click 1 at the object's interior point farthest
from its boundary, each next click at the centre of the largest error region (positive in a missed
part, negative in a spill), the previous low-res logits fed back as the mask prompt. Reports the
mIoU after 1 click and NoC@85 / NoC@90 (mean clicks to reach that IoU, capped at --max-clicks).

Dataset layouts:
  grabcut   DIR/data_GT/<name>.jpg|png + DIR/boundary_GT/<name>.png|bmp (255 object, 128 uncertain: left out)
  binary    DIR/images/<name>.* + DIR/masks/<name>.* (> 127 object)
  davis     DIR/JPEGImages/480p/<seq>/<frame>.jpg + DIR/Annotations/480p/<seq>/<frame>.png

Options:
  --dataset DIR          dataset root (required)
  --format F             grabcut | binary | davis (required)
  --max-clicks N         NoC cap (default 20)
  --limit N              first N images (sorted by name)
  --frame-step N         davis: every Nth frame of each sequence (default 10)
  --strategy S           plain (the standard protocol, default) | improved (the first click is also
                         refined with its own mask, then with that mask's box; a refinement is kept
                         when the model's predicted IoU prefers it and it stays close to the first
                         mask: 3 decodes at click 1)
  --all-clicks           run all --max-clicks clicks (default: stop an image at IoU >= 0.90)
  --model ID | --encoder PATH --decoder PATH
  --threads N            onnxruntime threads (default: all cores)
  --json                 one JSON object on stdout instead of the table`;

export const EVALUATIONS = ['interactive', 'instances', 'video'] as const;

export const usage = [`usage: samflow eval ${EVALUATIONS.join('|')} [options]   (the evaluation's name comes first)`, interactiveUsage, instancesUsage, videoUsage].join('\n\n');

const SPEC = {
  dataset: { kind: 'string' },
  format: { kind: 'string' },
  'max-clicks': { kind: 'integer', min: 1, max: 100 },
  limit: { kind: 'integer', min: 1 },
  'frame-step': { kind: 'integer', min: 1 },
  strategy: { kind: 'string' },
  'all-clicks': { kind: 'boolean' },
  ...MODEL_SESSION_FLAGS,
  json: { kind: 'boolean' },
} as const;

function fmt(v: number, digits = 3): string {
  return Number.isFinite(v) ? v.toFixed(digits) : 'n/a';
}

export function formatSummary(s: InteractiveSummary): string {
  return [
    `images ${s.count}  mIoU@1 ${fmt(s.miou1)}  NoC@85 ${fmt(s.noc85, 2)}  NoC@90 ${fmt(s.noc90, 2)}` +
      `  (never reached: ${s.failed85} @85, ${s.failed90} @90, cap ${s.maxClicks})`,
    `mean encode ${fmt(s.meanEncodeMs, 0)} ms/image, mean click ${fmt(s.meanClickMs, 1)} ms, total ${fmt(s.totalMs / 1000, 1)} s`,
  ].join('\n');
}

function formatItem(r: InteractiveItemResult, maxClicks: number): string {
  const { noc85, noc90 } = itemNoc(r.ious, maxClicks);
  return `${r.id.padEnd(24)} IoU@1 ${fmt(r.ious[0] ?? NaN)}  NoC@85 ${String(noc85).padStart(2)}  NoC@90 ${String(noc90).padStart(2)}  clicks ${r.ious.length}  ${fmt(r.encodeMs + r.clicksMs, 0)} ms`;
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === 'instances') return runEvalInstances(rest, io);
  if (first === 'video') return runEvalVideo(rest, io);
  return runInteractive(argv, io);
}

async function runInteractive(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  const [sub, ...extra] = args.positionals;
  if (sub === undefined) throw new UsageError(`name an evaluation: samflow eval ${EVALUATIONS.join('|')} ...`);
  if (sub === 'instances' || sub === 'video') throw new UsageError(`put the evaluation's name first: samflow eval ${sub} --dataset DIR ...`);
  if (sub !== 'interactive') {
    throw new UsageError(`unknown evaluation "${sub}"; this version has: ${EVALUATIONS.join(', ')}`);
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const dataset = getString(args, 'dataset');
  if (!dataset) throw new UsageError('--dataset DIR is required');
  const format = getString(args, 'format');
  if (!format) throw new UsageError(`--format is required (${INTERACTIVE_DATASET_FORMATS.join(' | ')})`);
  if (!(INTERACTIVE_DATASET_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${INTERACTIVE_DATASET_FORMATS.join(', ')}, got "${format}"`);
  }
  const strategy = getString(args, 'strategy') ?? 'plain';
  if (!(CLICK_STRATEGIES as readonly string[]).includes(strategy)) {
    throw new UsageError(`--strategy must be one of ${CLICK_STRATEGIES.join(', ')}, got "${strategy}"`);
  }
  const modelOptions = modelOptionsFrom(args);
  const maxClicks = getNumber(args, 'max-clicks') ?? 20;
  const json = getFlag(args, 'json');

  const items = listInteractiveDataset(dataset, format as InteractiveDatasetFormat, {
    limit: getNumber(args, 'limit'),
    frameStep: getNumber(args, 'frame-step'),
  });
  const model = await loadSamModel(modelOptions);
  try {
    const result = await evaluateInteractive(model, items, {
      maxClicks,
      strategy: strategy as ClickStrategy,
      stopAtIou: getFlag(args, 'all-clicks') ? Infinity : 0.9,
      onItem: json ? undefined : (r) => io.stdout(formatItem(r, maxClicks) + '\n'),
    });
    if (json) {
      io.stdout(JSON.stringify({ dataset, format, model: result.modelId, strategy: result.strategy, maxClicks, summary: result.summary, items: result.items }) + '\n');
    } else {
      io.stdout(`\nmodel ${result.modelId}, strategy ${result.strategy}, ${format} ${dataset}\n${formatSummary(result.summary)}\n`);
    }
    return 0;
  } finally {
    await model.release();
  }
}
