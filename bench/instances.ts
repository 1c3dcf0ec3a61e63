/**
 * Benchmark: detector-to-instance-masks (the seed's "cat detector → cat instance masks").
 * - coco-cats (../shared/data/coco-cats, 3 COCO-2017 cats with instance masks): the metric.
 * - davis (not in --quick): every 12th frame of 3 DAVIS-2016 sequences whose one annotated object is a
 *   COCO class (blackswan → bird, dog → dog, car-shadow → car): 14 more objects, to check on more
 *   than 3 images whether a prompt variant helps.
 * Each ground-truth object is matched to the predicted instance (of the asked class) with the highest
 * mask IoU; we report recall (matched at IoU >= 0.5), mean IoU over GT objects (0 when missed), extra
 * predictions, stage times (median), and an oracle run prompting with the ground-truth box (separates
 * detector error from SAM error). The protocol lives in core/eval (evaluateInstances, matchInstances,
 * listInstancesDataset), shared with `samflow eval instances`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  loadCocoDetector,
  evaluateInstances,
  type InstancesPromptVariant,
  DAVIS_COCO_CLASSES,
  listInstancesDataset,
  type InstancesDatasetItem,
  type InstancesSummary,
  loadSamModel,
} from '../core';
import { median, round, type BenchContext } from './BenchContext';

/** A prompt variant (the core type, kept under the bench's old name). */
export type InstancesVariant = InstancesPromptVariant;

export const VARIANTS: readonly InstancesVariant[] = [
  { name: 'box', options: {} },
  { name: 'box+jitter5%', options: { boxJitter: 0.05 } },
  { name: 'box+refine1', options: { refineSteps: 1 } },
  { name: 'box+expand5%', options: { expandRatio: 0.05 } },
  { name: 'box+center', options: { pointHints: 'center' } },
];

/** coco-cats (the metric) and, unless --quick, every 12th frame of the DAVIS sequences whose object is a COCO class. */
function datasets(dataDir: string, quick: boolean): Array<[string, InstancesDatasetItem[]]> {
  const out: Array<[string, InstancesDatasetItem[]]> = [];
  const cats = path.join(dataDir, 'coco-cats');
  if (fs.existsSync(path.join(cats, 'instances.json'))) {
    out.push(['coco-cats', listInstancesDataset(cats, { format: 'instances-json', classes: ['cat'] })]);
  }
  const davis = path.join(dataDir, 'davis');
  if (!quick && Object.keys(DAVIS_COCO_CLASSES).some((seq) => fs.existsSync(path.join(davis, 'JPEGImages/480p', seq)))) {
    out.push(['davis', listInstancesDataset(davis, { format: 'davis', frameStep: 12, davisClasses: DAVIS_COCO_CLASSES })]);
  }
  return out;
}

function summary(s: InstancesSummary, decodeMsPerInstance: number): Record<string, unknown> {
  return {
    gtObjects: s.gtObjects,
    recall: round(s.recall, 3),
    meanIou: round(s.meanIou, 3),
    perObjectIou: s.perObjectIou.map((x) => round(x, 3)),
    extraPredictions: s.extraPredictions,
    decodeMsPerInstance: round(decodeMsPerInstance, 1),
  };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const sets = ctx.dataDir ? datasets(ctx.dataDir, ctx.quick) : [];
  if (sets.length === 0) {
    ctx.log('instances: ../shared/data/coco-cats is absent, skipped');
    return { skipped: 'coco-cats data absent' };
  }
  const variants = ctx.quick ? VARIANTS.slice(0, 1) : VARIANTS;
  const detectMs: number[] = [];
  const encodeMs: number[] = [];
  const perDataset: Record<string, unknown> = {};
  let cats: Record<string, unknown> | undefined;
  const detector = await loadCocoDetector();
  const model = await loadSamModel();
  try {
    for (const [d, items] of sets) {
      const result = await evaluateInstances(model, detector, items, {
        variants,
        oracle: !ctx.quick,
        onItem: (r) => {
          detectMs.push(r.detectMs);
          encodeMs.push(r.encodeMs);
          ctx.log(`instances: ${r.id}: ${r.detections.length} ${r.classes.join('/')} detection(s), scores ${r.detections.map((x) => x.score.toFixed(2)).join(', ')}`);
        },
      });
      const rows: Record<string, unknown> = Object.fromEntries(result.variants.map((v) => [v.name, summary(v.summary, v.decodeMsPerInstance)]));
      if (result.oracle && result.oracle.gtObjects > 0) rows['oracle-gt-box'] = summary(result.oracle, 0);
      perDataset[d] = rows;
      if (d === 'coco-cats') cats = rows[variants[0].name] as Record<string, unknown>;
      for (const [name, s] of Object.entries(rows)) {
        const r = s as { recall: number; meanIou: number; gtObjects: number };
        ctx.log(`instances: ${d} ${name}: recall ${r.recall.toFixed(2)}, mean IoU ${r.meanIou.toFixed(3)} over ${r.gtObjects}`);
      }
    }
  } finally {
    await detector.release();
    await model.release();
  }
  return {
    images: sets.reduce((n, [, items]) => n + items.length, 0),
    detector: detector.backend,
    detectMsMedian: round(median(detectMs), 1),
    encodeMsMedian: round(median(encodeMs), 1),
    ...(cats ? { recall: cats['recall'], meanIou: cats['meanIou'] } : {}),
    datasets: perDataset,
  };
}
