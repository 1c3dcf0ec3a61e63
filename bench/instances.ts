/**
 * Benchmark: detector-to-instance-masks (the seed's "cat detector → cat instance masks").
 * - coco-cats (../shared/data/coco-cats, 3 COCO-2017 cats with instance masks): the metric.
 * - davis (not in --quick): every 12th frame of 3 DAVIS-2016 sequences whose one annotated object is a
 *   COCO class (blackswan → bird, dog → dog, car-shadow → car): 15 more objects, to check on more
 *   than 3 images whether a prompt variant helps.
 * Each ground-truth object is matched to the predicted instance (of the asked class) with the highest
 * mask IoU; we report recall (matched at IoU >= 0.5), mean IoU over GT objects (0 when missed), extra
 * predictions, stage times (median), and an oracle run prompting with the ground-truth box (separates
 * detector error from SAM error).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCocoDetector } from '../core/detect/loadCocoDetector';
import { segmentInstances, type SegmentInstancesOptions } from '../core/detect/segmentInstances';
import { decodeImage } from '../core/image/decodeImage';
import { maskIou } from '../core/masks/maskIou';
import { maskToBoxXywh } from '../core/masks/maskToBoxXywh';
import { pngToMask } from '../core/masks/pngToMask';
import { encodeImage } from '../core/model/encodeImage';
import { loadSamModel } from '../core/model/loadSamModel';
import type { BinaryMask } from '../core/types';
import { median, round, type BenchContext } from './BenchContext';

interface CocoCatsItem {
  readonly image: string;
  readonly instances: readonly { readonly mask: string; readonly category: string; readonly bbox_xywh: readonly number[] }[];
}

/** One image to evaluate: which class to ask the detector for, and the ground-truth masks. */
interface EvalItem {
  readonly dataset: 'coco-cats' | 'davis';
  readonly name: string;
  readonly image: string;
  readonly className: string;
  readonly masks: readonly string[];
  /** pngToMask threshold: COCO masks are 0/255, DAVIS annotations > 127 are the object. */
  readonly threshold: number;
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

const DAVIS_SEQUENCES: Readonly<Record<string, string>> = { blackswan: 'bird', dog: 'dog', 'car-shadow': 'car' };

function cocoCatsItems(dataDir: string): EvalItem[] {
  const root = path.join(dataDir, 'coco-cats');
  const file = path.join(root, 'instances.json');
  if (!fs.existsSync(file)) return [];
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as CocoCatsItem[]).map((item) => ({
    dataset: 'coco-cats',
    name: item.image,
    image: path.join(root, item.image),
    className: 'cat',
    masks: item.instances.filter((i) => i.category === 'cat').map((i) => path.join(root, i.mask)),
    threshold: 127,
  }));
}

function davisItems(dataDir: string): EvalItem[] {
  const out: EvalItem[] = [];
  for (const [seq, className] of Object.entries(DAVIS_SEQUENCES)) {
    const dir = path.join(dataDir, 'davis/JPEGImages/480p', seq);
    if (!fs.existsSync(dir)) continue;
    const frames = fs.readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort();
    for (let i = 0; i < frames.length; i += 12) {
      const base = frames[i]!.replace(/\.jpg$/, '');
      const mask = path.join(dataDir, 'davis/Annotations/480p', seq, `${base}.png`);
      if (fs.existsSync(mask)) out.push({ dataset: 'davis', name: `${seq}/${base}`, image: path.join(dir, frames[i]!), className, masks: [mask], threshold: 127 });
    }
  }
  return out;
}

interface Tally {
  ious: number[];
  extra: number;
  decodeMs: number;
  decodes: number;
}

const mean = (a: readonly number[]) => (a.length ? a.reduce((s, x) => s + x, 0) / a.length : 0);

function summary(t: Tally): Record<string, unknown> {
  return {
    gtObjects: t.ious.length,
    recall: round(t.ious.filter((x) => x >= 0.5).length / Math.max(1, t.ious.length), 3),
    meanIou: round(mean(t.ious), 3),
    perObjectIou: t.ious.map((x) => round(x, 3)),
    extraPredictions: t.extra,
    decodeMsPerInstance: round(t.decodes ? t.decodeMs / t.decodes : 0, 1),
  };
}

/** Best-IoU matching of GT masks to predicted masks; pushes one IoU per GT (0 when nothing overlaps). */
function matchInto(tally: Tally, predicted: readonly BinaryMask[], gts: readonly BinaryMask[]): void {
  const matched = new Set<number>();
  for (const gt of gts) {
    let best = 0;
    let bestIdx = -1;
    predicted.forEach((m, k) => {
      const iou = maskIou(m, gt);
      if (iou > best) [best, bestIdx] = [iou, k];
    });
    if (bestIdx >= 0) matched.add(bestIdx);
    tally.ious.push(best);
  }
  tally.extra += predicted.length - matched.size;
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const items = ctx.dataDir ? [...cocoCatsItems(ctx.dataDir), ...(ctx.quick ? [] : davisItems(ctx.dataDir))] : [];
  if (items.length === 0) {
    ctx.log('instances: ../shared/data/coco-cats is absent, skipped');
    return { skipped: 'coco-cats data absent' };
  }
  const variants = ctx.quick ? VARIANTS.slice(0, 1) : VARIANTS;
  const datasets = [...new Set(items.map((i) => i.dataset))];
  const newTally = (): Tally => ({ ious: [], extra: 0, decodeMs: 0, decodes: 0 });
  const tallies = new Map(datasets.map((d) => [d, { variants: variants.map(newTally), oracle: newTally() }]));
  const detectMs: number[] = [];
  const encodeMs: number[] = [];
  const detector = await loadCocoDetector();
  const model = await loadSamModel();
  try {
    for (const item of items) {
      const t = tallies.get(item.dataset)!;
      const frame = await decodeImage(item.image);
      let t0 = performance.now();
      const detections = await detector.detect(frame, { classes: [item.className] });
      detectMs.push(performance.now() - t0);
      t0 = performance.now();
      const embedded = await encodeImage(model, frame);
      encodeMs.push(performance.now() - t0);
      const gts = await Promise.all(item.masks.map((m) => pngToMask(m, item.threshold)));
      for (let v = 0; v < variants.length; v++) {
        t0 = performance.now();
        const instances = await segmentInstances(model, embedded, detections, variants[v]!.options);
        t.variants[v]!.decodeMs += performance.now() - t0;
        t.variants[v]!.decodes += instances.length;
        matchInto(t.variants[v]!, instances.map((i) => i.mask), gts);
      }
      if (!ctx.quick) {
        // Oracle: each GT object's own box (pixel extents) as the prompt.
        const oracle = await segmentInstances(model, embedded, gts.map((g) => ({ bbox: maskToBoxXywh(g, { convention: 'coco' }) })));
        oracle.forEach((inst, k) => t.oracle.ious.push(maskIou(inst.mask, gts[k]!)));
      }
      ctx.log(`instances: ${item.name}: ${detections.length} ${item.className} detection(s), scores ${detections.map((d) => d.score.toFixed(2)).join(', ')}`);
    }
  } finally {
    detector.release();
    await model.release();
  }
  const perDataset: Record<string, unknown> = {};
  for (const [d, t] of tallies) {
    const rows = Object.fromEntries(variants.map((v, i) => [v.name, summary(t.variants[i]!)]));
    if (t.oracle.ious.length) rows['oracle-gt-box'] = summary(t.oracle);
    perDataset[d] = rows;
    for (const [name, s] of Object.entries(rows)) {
      const r = s as { recall: number; meanIou: number; gtObjects: number };
      ctx.log(`instances: ${d} ${name}: recall ${r.recall.toFixed(2)}, mean IoU ${r.meanIou.toFixed(3)} over ${r.gtObjects}`);
    }
  }
  const cats = tallies.get('coco-cats')?.variants[0];
  return {
    images: items.length,
    detector: detector.backend,
    detectMsMedian: round(median(detectMs), 1),
    encodeMsMedian: round(median(encodeMs), 1),
    ...(cats ? { recall: summary(cats)['recall'], meanIou: summary(cats)['meanIou'] } : {}),
    datasets: perDataset,
  };
}
