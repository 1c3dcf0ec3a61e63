/**
 * Benchmark: cat-detector-to-instance-masks on ../shared/data/coco-cats (COCO-2017 cats with
 * panoptic instance masks). Each ground-truth cat is matched to the predicted instance with the
 * highest mask IoU; we report recall (GT cats matched at IoU >= 0.5), mean IoU over GT cats
 * (0 for a missed cat), extra predictions, the time of each stage (median), and an oracle run
 * prompting with the ground-truth boxes (separates detector error from SAM error).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeImage } from '../core/image/decodeImage';
import { loadCocoDetector } from '../core/detect/loadCocoDetector';
import { segmentInstances, type SegmentInstancesOptions } from '../core/detect/segmentInstances';
import { maskIou } from '../core/masks/maskIou';
import { pngToMask } from '../core/masks/pngToMask';
import { encodeImage } from '../core/model/encodeImage';
import { median, round, type BenchContext } from './BenchContext';
import { loadSamModel } from '../core/model/loadSamModel';


interface CocoCatsItem {
  readonly image: string;
  readonly instances: readonly { readonly mask: string; readonly category: string; readonly bbox_xywh: readonly number[] }[];
}

export interface InstancesVariant {
  readonly name: string;
  readonly options: SegmentInstancesOptions;
}

export const VARIANTS: readonly InstancesVariant[] = [
  { name: 'box', options: {} },
  { name: 'box+jitter5%', options: { boxJitter: 0.05 } },
  { name: 'box+refine1', options: { refineSteps: 1 } },
  { name: 'box+expand5%', options: { expandRatio: 0.05 } },
  { name: 'box+center', options: { pointHints: 'center' } },
];

export interface VariantResult {
  readonly variant: string;
  readonly gtCats: number;
  readonly recall: number;
  readonly meanIou: number;
  readonly perCatIou: number[];
  readonly extraPredictions: number;
  readonly decodeMsPerInstance: number;
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const root = ctx.dataDir ? path.join(ctx.dataDir, 'coco-cats') : undefined;
  if (!root || !fs.existsSync(path.join(root, 'instances.json'))) {
    ctx.log('instances: ../shared/data/coco-cats is absent, skipped');
    return { skipped: 'coco-cats data absent' };
  }
  const items = JSON.parse(fs.readFileSync(path.join(root, 'instances.json'), 'utf8')) as CocoCatsItem[];
  const variants = ctx.quick ? VARIANTS.slice(0, 1) : VARIANTS;
  const detector = await loadCocoDetector();
  const model = await loadSamModel();
  const detectMs: number[] = [];
  const encodeMs: number[] = [];
  const stats = variants.map(() => ({ ious: [] as number[], extra: 0, decodeMs: 0, decodes: 0 }));
  // Oracle: the ground-truth boxes as prompts, to tell detector error from SAM error.
  const oracleIous: number[] = [];
  try {
    for (const item of items) {
      const frame = await decodeImage(path.join(root, item.image));
      let t = performance.now();
      const detections = await detector.detect(frame, { classes: ['cat'] });
      detectMs.push(performance.now() - t);
      t = performance.now();
      const embedded = await encodeImage(model, frame);
      encodeMs.push(performance.now() - t);
      const gts = await Promise.all(item.instances.filter((i) => i.category === 'cat').map((i) => pngToMask(path.join(root, i.mask))));
      for (let v = 0; v < variants.length; v++) {
        t = performance.now();
        const instances = await segmentInstances(model, embedded, detections, variants[v]!.options);
        stats[v]!.decodeMs += performance.now() - t;
        stats[v]!.decodes += instances.length;
        const matched = new Set<number>();
        for (const gt of gts) {
          let best = 0;
          let bestIdx = -1;
          instances.forEach((inst, k) => {
            const iou = maskIou(inst.mask, gt);
            if (iou > best) [best, bestIdx] = [iou, k];
          });
          if (bestIdx >= 0) matched.add(bestIdx);
          stats[v]!.ious.push(best);
        }
        stats[v]!.extra += instances.length - matched.size;
      }
      if (!ctx.quick) {
        const cats = item.instances.filter((i) => i.category === 'cat');
        const oracle = await segmentInstances(model, embedded, cats.map((i) => ({ bbox: i.bbox_xywh })));
        oracle.forEach((inst, k) => oracleIous.push(maskIou(inst.mask, gts[k]!)));
      }
      ctx.log(`instances: ${item.image}: ${detections.length} cat detection(s), scores ${detections.map((d) => d.score.toFixed(2)).join(', ')}`);
    }
  } finally {
    detector.release();
    await model.release();
  }
  const mean = (a: number[]) => (a.length ? a.reduce((s, x) => s + x, 0) / a.length : 0);
  const results: VariantResult[] = variants.map((v, i) => {
    const s = stats[i]!;
    return {
      variant: v.name,
      gtCats: s.ious.length,
      recall: round(s.ious.filter((x) => x >= 0.5).length / Math.max(1, s.ious.length), 3),
      meanIou: round(mean(s.ious), 3),
      perCatIou: s.ious.map((x) => Math.round(x * 1000) / 1000),
      extraPredictions: s.extra,
      decodeMsPerInstance: round(s.decodes ? s.decodeMs / s.decodes : 0, 1),
    };
  });
  if (oracleIous.length) ctx.log(`instances: oracle GT box: mean IoU ${mean(oracleIous).toFixed(3)} (${oracleIous.map((x) => x.toFixed(3)).join(', ')})`);
  for (const r of results) ctx.log(`instances: ${r.variant}: recall ${r.recall.toFixed(2)}, mean IoU ${r.meanIou.toFixed(3)} (${r.perCatIou.join(', ')})`);
  return {
    images: items.length,
    detector: detector.backend,
    detectMsMedian: round(median(detectMs), 1),
    encodeMsMedian: round(median(encodeMs), 1),
    recall: results[0]!.recall,
    meanIou: results[0]!.meanIou,
    variants: results,
    ...(oracleIous.length ? { oracleGtBoxMeanIou: round(mean(oracleIous), 3), oracleGtBoxPerCatIou: oracleIous.map((x) => round(x, 3)) } : {}),
  };
}
