import type { CocoDetector, Detection, DetectOptions } from '../detect/Detection';
import { segmentInstances, type SegmentInstancesOptions } from '../detect/segmentInstances';
import { decodeImage } from '../image/decodeImage';
import { maskToBoxXywh } from '../masks/maskToBoxXywh';
import { maskIou } from '../masks/maskIou';
import { SamflowError } from '../errors';
import { encodeImage } from '../model/encodeImage';
import type { SamModel } from '../model/SamModel';
import type { BinaryMask } from '../types';
import type { InstancesDatasetItem } from './listInstancesDataset';
import { loadFrameGroundTruth } from './loadFrameGroundTruth';
import { matchInstances, type InstanceMatch } from './matchInstances';
import { median } from './median';
import { summarizeInstances, type InstancesSummary } from './summarizeInstances';

/** One way of turning detector boxes into SAM prompts (a named set of segmentInstances options). */
export interface InstancesPromptVariant {
  readonly name: string;
  readonly options: SegmentInstancesOptions;
}

export interface EvaluateInstancesOptions {
  /** Prompt variants, each evaluated on the same detections and embedding. Default: the plain box. */
  readonly variants?: readonly InstancesPromptVariant[];
  /** Also prompt with each ground-truth object's own box (the oracle row). Default true. */
  readonly oracle?: boolean;
  /** Detector options (the classes come from each item). */
  readonly detect?: Omit<DetectOptions, 'classes'>;
  /** Recall threshold. Default 0.5. */
  readonly iouThresh?: number;
  /** Called after each image (progress output). */
  readonly onItem?: (result: InstancesItemResult, index: number, total: number) => void;
}

/** One variant's outcome on one image. */
export interface InstancesVariantItem {
  readonly name: string;
  readonly match: InstanceMatch;
  /** Decoder + post-processing time of segmentInstances for all instances of the image. */
  readonly decodeMs: number;
}

export interface InstancesItemResult {
  readonly id: string;
  readonly classes: readonly string[];
  readonly detections: readonly Detection[];
  readonly gtObjects: number;
  readonly variants: readonly InstancesVariantItem[];
  /** Each object prompted with its own ground-truth box; `matchedPrediction[k] = k`. */
  readonly oracle?: InstanceMatch;
  readonly detectMs: number;
  /** Image embedding time (encoder). */
  readonly encodeMs: number;
  /** Everything for this image: decoding, detector, encoder, every variant and the oracle. */
  readonly totalMs: number;
}

export interface InstancesVariantSummary {
  readonly name: string;
  readonly summary: InstancesSummary;
  /** Mean segmentInstances time per predicted instance. */
  readonly decodeMsPerInstance: number;
}

export interface InstancesEvaluation {
  readonly modelId: string;
  readonly variants: readonly InstancesVariantSummary[];
  readonly oracle?: InstancesSummary;
  readonly items: readonly InstancesItemResult[];
  readonly detectMsMedian: number;
  readonly encodeMsMedian: number;
  readonly totalMs: number;
}

export const DEFAULT_INSTANCES_VARIANTS: readonly InstancesPromptVariant[] = [{ name: 'box', options: {} }];

/**
 * Detector → SAM instance masks against ground-truth instances (bench/instances.ts' protocol). Per image:
 * detect the item's classes, encode once, segment the detections with every prompt variant and match the
 * masks to the ground truth class by class (`matchInstances`: each object takes its best-IoU prediction,
 * recall = matched at IoU >= 0.5, a missed object counts IoU 0, unmatched predictions are extras); the
 * oracle prompts SAM with each object's own box (pixel extents), which separates detector misses from
 * SAM's mask errors.
 */
export async function evaluateInstances(
  model: SamModel,
  detector: Pick<CocoDetector, 'detect'>,
  items: readonly InstancesDatasetItem[],
  opts: EvaluateInstancesOptions = {},
): Promise<InstancesEvaluation> {
  const variants = opts.variants ?? DEFAULT_INSTANCES_VARIANTS;
  if (variants.length === 0) throw new SamflowError('BAD_OPTION', 'evaluateInstances: give at least one prompt variant');
  const oracle = opts.oracle ?? true;
  const results: InstancesItemResult[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const tStart = performance.now();
    const frame = await decodeImage(item.imagePath, { id: item.id });
    const gts = await Promise.all(item.objects.map((o) => loadFrameGroundTruth(o.maskPath, frame, item.imagePath)));
    let t0 = performance.now();
    const detections = await detector.detect(frame, { ...opts.detect, classes: item.classes });
    const detectMs = performance.now() - t0;
    t0 = performance.now();
    const embedded = await encodeImage(model, frame);
    const encodeMs = performance.now() - t0;
    const variantResults: InstancesVariantItem[] = [];
    for (const v of variants) {
      t0 = performance.now();
      const instances = await segmentInstances(model, embedded, detections, v.options);
      const decodeMs = performance.now() - t0;
      variantResults.push({
        name: v.name,
        match: matchByClass(
          instances.map((x) => ({ mask: x.mask, class: x.record.class })),
          gts,
          item,
        ),
        decodeMs,
      });
    }
    let oracleMatch: InstanceMatch | undefined;
    if (oracle) {
      const boxes = gts.map((g) => ({ bbox: maskToBoxXywh(g, { convention: 'coco' }) }));
      const found = await segmentInstances(model, embedded, boxes);
      const masks = new Map<number, BinaryMask>();
      found.forEach((inst, k) => {
        const index = inst.candidate.prompt.meta?.detectionIndex;
        masks.set(typeof index === 'number' ? index : k, inst.mask);
      });
      const ious = gts.map((g, k) => (masks.has(k) ? maskIou(masks.get(k)!, g) : 0));
      oracleMatch = { ious, matchedPrediction: gts.map((_, k) => (masks.has(k) ? k : -1)), extraPredictions: 0, predictions: masks.size };
    }
    const result: InstancesItemResult = {
      id: item.id,
      classes: item.classes,
      detections,
      gtObjects: gts.length,
      variants: variantResults,
      ...(oracleMatch ? { oracle: oracleMatch } : {}),
      detectMs,
      encodeMs,
      totalMs: performance.now() - tStart,
    };
    results.push(result);
    opts.onItem?.(result, i, items.length);
  }
  const iouThresh = opts.iouThresh ?? 0.5;
  return {
    modelId: model.id,
    variants: variants.map((v, j) => {
      const rows = results.map((r) => r.variants[j]);
      const predictions = rows.reduce((s, r) => s + r.match.predictions, 0);
      return {
        name: v.name,
        summary: summarizeInstances(
          rows.map((r) => r.match),
          iouThresh,
        ),
        decodeMsPerInstance: predictions === 0 ? 0 : rows.reduce((s, r) => s + r.decodeMs, 0) / predictions,
      };
    }),
    ...(oracle
      ? {
          oracle: summarizeInstances(
            results.map((r) => r.oracle!),
            iouThresh,
          ),
        }
      : {}),
    items: results,
    detectMsMedian: median(results.map((r) => r.detectMs)),
    encodeMsMedian: median(results.map((r) => r.encodeMs)),
    totalMs: results.reduce((s, r) => s + r.totalMs, 0),
  };
}

/** matchInstances within each class of the item; the per-object results keep the item's object order. */
function matchByClass(predicted: ReadonlyArray<{ mask: BinaryMask; class: string | undefined }>, gts: readonly BinaryMask[], item: InstancesDatasetItem): InstanceMatch {
  const ious = new Array<number>(gts.length).fill(0);
  const matchedPrediction = new Array<number>(gts.length).fill(-1);
  let extra = 0;
  // A prediction without a class (a detector that gives none) belongs to the item's only class, if it has one.
  const classOf = predicted.map((p) => p.class ?? (item.classes.length === 1 ? item.classes[0] : ''));
  const classes = new Set([...item.objects.map((o) => o.category), ...classOf]);
  for (const c of classes) {
    const predIdx = classOf.flatMap((pc, k) => (pc === c ? [k] : []));
    const gtIdx = item.objects.flatMap((o, k) => (o.category === c ? [k] : []));
    const m = matchInstances(
      predIdx.map((k) => predicted[k].mask),
      gtIdx.map((k) => gts[k]),
    );
    gtIdx.forEach((k, j) => {
      ious[k] = m.ious[j]!;
      matchedPrediction[k] = m.matchedPrediction[j] >= 0 ? predIdx[m.matchedPrediction[j]] : -1;
    });
    extra += m.extraPredictions;
  }
  return { ious, matchedPrediction, extraPredictions: extra, predictions: predicted.length };
}
