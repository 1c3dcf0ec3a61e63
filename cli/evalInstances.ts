/**
 * `samflow eval instances`: the COCO detector's boxes → SAM instance masks, scored against ground-truth
 * instances (recall at IoU 0.5, mean IoU per object, extras), with the oracle row prompting SAM with the
 * ground-truth boxes. Dispatched from cli/eval.ts.
 */
import {
  loadCocoDetector,
  validateDetectOptions,
  isSamflowError,
  detectInstancesDatasetFormat,
  evaluateInstances,
  INSTANCES_DATASET_FORMATS,
  listInstancesDataset,
  type InstancesDatasetFormat,
  type InstancesEvaluation,
  type InstancesItemResult,
  type InstancesSummary,
  loadSamModel,
} from '../core';
import { UsageError, getFlag, getNumber, getString, parseArgs, type OptionSpec } from './args';
import type { CliIo } from './CliCommand';
import { detectorLoadOptionsFrom, roundDetection } from './detect';
import { MODEL_SESSION_FLAGS, modelOptionsFrom } from './modelOptions';

export const instancesUsage = `usage: samflow eval instances --dataset DIR [--class cat] [options]

Detector → SAM instance masks against ground-truth instances: the offline COCO detector's boxes (of the
classes of each image's ground truth, or --class) prompt SAM; each ground-truth object is matched to the
predicted mask of its class with the highest IoU. Reports per image and overall: recall (objects matched
at IoU >= 0.5), mean IoU over objects (0 when missed), extra predictions (nobody's best match), times;
and the oracle row, SAM prompted with each object's own ground-truth box (detector misses vs SAM errors).

Dataset layouts (detected, or --format):
  instances-json  DIR/instances.json = [{"image": "images/x.jpg", "instances": [{"mask": "masks/x_0.png",
                  "category": "cat"}]}], paths relative to DIR, masks > 127 (../shared/data/coco-cats)
  davis           DIR/JPEGImages/480p/<seq>/*.jpg + DIR/Annotations/480p/<seq>/*.png; the sequences whose
                  object is one COCO class (blackswan: bird, dog: dog, car-shadow: car), every --frame-step'th frame

Options:
  --dataset DIR          dataset root (required)
  --format F             instances-json | davis (default: from what DIR holds)
  --class C[,C]          only objects of these COCO classes (the detector is asked for them only)
  --limit N              first N images
  --frame-step N         davis: every Nth frame (default 12)
  --min-score S          detector score threshold (default 0.15)
  --box-jitter F         average the masks of 4 jittered boxes (e.g. 0.05; 5x decoder time)
  --no-oracle            skip the ground-truth-box row
  --backend B            detector backend: auto | wasm | cpu | tfjs-node
  --detector MODEL.json  another detector graph model
  --model ID | --encoder PATH --decoder PATH
  --threads N            onnxruntime threads (default: all cores)
  --json                 one JSON object on stdout instead of the table`;

export const INSTANCES_SPEC: Readonly<Record<string, OptionSpec>> = {
  dataset: { kind: 'string' },
  format: { kind: 'string' },
  class: { kind: 'list' },
  limit: { kind: 'integer', min: 1 },
  'frame-step': { kind: 'integer', min: 1 },
  'min-score': { kind: 'number', min: 0, max: 1 },
  'box-jitter': { kind: 'number', min: 0, max: 0.49 },
  'no-oracle': { kind: 'boolean' },
  backend: { kind: 'string' },
  detector: { kind: 'string' },
  ...MODEL_SESSION_FLAGS,
  json: { kind: 'boolean' },
};

const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const r1 = (v: number): number => Math.round(v * 10) / 10;

function summaryJson(s: InstancesSummary): Record<string, unknown> {
  return {
    gtObjects: s.gtObjects,
    matched: s.matched,
    recall: r3(s.recall),
    meanIou: r3(s.meanIou),
    perObjectIou: s.perObjectIou.map(r3),
    extraPredictions: s.extraPredictions,
    predictions: s.predictions,
  };
}

function itemJson(r: InstancesItemResult): Record<string, unknown> {
  const v = r.variants[0];
  return {
    id: r.id,
    classes: r.classes,
    gtObjects: r.gtObjects,
    detections: r.detections.map(roundDetection),
    ious: v.match.ious.map(r3),
    matchedPrediction: v.match.matchedPrediction,
    extraPredictions: v.match.extraPredictions,
    ...(r.oracle ? { oracleIous: r.oracle.ious.map(r3) } : {}),
    detectMs: r1(r.detectMs),
    encodeMs: r1(r.encodeMs),
    decodeMs: r1(v.decodeMs),
    totalMs: r1(r.totalMs),
  };
}

function formatItem(r: InstancesItemResult): string {
  const m = r.variants[0].match;
  const hit = m.ious.filter((v) => v >= 0.5).length;
  const oracle = r.oracle ? `  oracle IoU ${r.oracle.ious.map((v) => v.toFixed(3)).join(', ')}` : '';
  return (
    `${r.id.padEnd(28)} objects ${r.gtObjects}  detections ${String(r.detections.length).padStart(2)}  matched ${hit}/${r.gtObjects}` +
    `  IoU ${m.ious.map((v) => v.toFixed(3)).join(', ')}  extra ${m.extraPredictions}${oracle}  ${r.totalMs.toFixed(0)} ms`
  );
}

function formatRow(name: string, s: InstancesSummary, extra: boolean): string {
  return `${name.padEnd(26)} recall ${s.matched}/${s.gtObjects} (${s.recall.toFixed(3)})  mean IoU ${s.meanIou.toFixed(3)}${extra ? `  extra predictions ${s.extraPredictions}` : ''}`;
}

export function formatInstancesSummary(e: InstancesEvaluation): string {
  const v = e.variants[0];
  return [
    formatRow('detector box', v.summary, true),
    ...(e.oracle ? [formatRow('oracle: ground-truth box', e.oracle, false)] : []),
    `median detector ${e.detectMsMedian.toFixed(0)} ms, median encoder ${e.encodeMsMedian.toFixed(0)} ms, ` +
      `${v.decodeMsPerInstance.toFixed(1)} ms per instance, total ${(e.totalMs / 1000).toFixed(1)} s`,
  ].join('\n');
}

export async function runEvalInstances(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, INSTANCES_SPEC);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const dataset = getString(args, 'dataset');
  if (!dataset) throw new UsageError('--dataset DIR is required');
  const format = getString(args, 'format');
  if (format !== undefined && !(INSTANCES_DATASET_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${INSTANCES_DATASET_FORMATS.join(', ')}, got "${format}"`);
  }
  const classList = (args.options.get('class') as string[] | undefined)
    ?.flatMap((c) => c.split(','))
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (classList !== undefined) {
    if (classList.length === 0) throw new UsageError('--class needs a COCO class name, e.g. --class cat');
    try {
      validateDetectOptions({ classes: classList });
    } catch (e) {
      if (isSamflowError(e)) throw new UsageError(`--class: ${e.message.replace(/^detect: /, '')}`);
      throw e;
    }
  }
  const detectorLoad = detectorLoadOptionsFrom(args);
  const modelOptions = modelOptionsFrom(args);
  const minScore = getNumber(args, 'min-score');
  const boxJitter = getNumber(args, 'box-jitter');
  const oracle = !getFlag(args, 'no-oracle');
  const json = getFlag(args, 'json');

  const resolvedFormat = (format as InstancesDatasetFormat | undefined) ?? detectInstancesDatasetFormat(dataset);
  const items = listInstancesDataset(dataset, {
    ...(resolvedFormat !== undefined ? { format: resolvedFormat } : {}),
    ...(classList !== undefined ? { classes: classList } : {}),
    ...(getNumber(args, 'frame-step') !== undefined ? { frameStep: getNumber(args, 'frame-step') } : {}),
    ...(getNumber(args, 'limit') !== undefined ? { limit: getNumber(args, 'limit') } : {}),
  });
  const detector = await loadCocoDetector(detectorLoad);
  try {
    const model = await loadSamModel(modelOptions);
    try {
      const result = await evaluateInstances(model, detector, items, {
        variants: [{ name: boxJitter ? `box+jitter${boxJitter}` : 'box', options: boxJitter ? { boxJitter } : {} }],
        oracle,
        ...(minScore !== undefined ? { detect: { minScore } } : {}),
        onItem: json ? undefined : (r) => io.stdout(formatItem(r) + '\n'),
      });
      const v = result.variants[0];
      if (json) {
        io.stdout(
          JSON.stringify({
            dataset,
            format: resolvedFormat,
            classes: classList ?? [...new Set(items.flatMap((i) => i.classes))],
            model: result.modelId,
            detector: detector.backend,
            prompt: v.name,
            images: items.length,
            summary: summaryJson(v.summary),
            ...(result.oracle ? { oracle: summaryJson(result.oracle) } : {}),
            timing: {
              detectMsMedian: r1(result.detectMsMedian),
              encodeMsMedian: r1(result.encodeMsMedian),
              decodeMsPerInstance: r1(v.decodeMsPerInstance),
              totalMs: r1(result.totalMs),
            },
            items: result.items.map(itemJson),
          }) + '\n',
        );
      } else {
        io.stdout(`\nmodel ${result.modelId}, detector ${detector.backend}, ${items.length} image(s) of ${dataset}\n${formatInstancesSummary(result)}\n`);
      }
      return 0;
    } finally {
      await model.release();
    }
  } finally {
    await detector.release();
  }
}
