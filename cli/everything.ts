/**
 * `samflow everything <image> [AMG flags] [--skip-covered] [--polygons] [--out masks.json] [--overlay overlay.png]`:
 * SAM's automatic mask generator on one image.
 */
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { decodeImage, loadSamModel, generateMasks, type AmgOptions, isCompressedRle, rleToMask, renderOverlay, type AmgRecord, loadCocoDetector, type BoxXyxy } from '../core';
import { getFlag, getNumber, parseArgs, UsageError, type OptionSpec, type ParsedArgs, getOutputPath } from './args';
import type { CliIo } from './CliCommand';
import { MODEL_FLAGS, MODEL_USAGE, amgDecoderWorkers, modelOptionsFrom } from './modelOptions';
import { CLUSTER_FLAGS, CLUSTER_USAGE, clusterOptionsFrom } from './clusterOptions';
import { runClusterJob } from './clusterJob';
import { DETECTOR_FLAGS, DETECTOR_USAGE, detectOptionsFrom, detectorLoadOptionsFrom } from './detect';

/** AMG flags shared by `everything` and `annotate`. */
export const AMG_FLAGS: Readonly<Record<string, OptionSpec>> = {
  'points-per-side': { kind: 'integer', min: 0, minExclusive: true },
  'points-per-batch': { kind: 'integer', min: 0, minExclusive: true },
  'crop-layers': { kind: 'integer', min: 0 },
  'pred-iou-thresh': { kind: 'number', min: 0, max: 1 },
  'stability-thresh': { kind: 'number', min: 0, max: 1 },
  'stability-offset': { kind: 'number', min: 0 },
  'box-nms-thresh': { kind: 'number', min: 0, max: 1 },
  'min-region-area': { kind: 'number', min: 0 },
  'skip-covered': { kind: 'boolean' },
  'skip-similarity': { kind: 'number', min: 0, max: 1 },
};

export const AMG_USAGE = `[--points-per-side N] [--points-per-batch N] [--crop-layers N] [--pred-iou-thresh T]
       [--stability-thresh T] [--stability-offset O] [--box-nms-thresh T] [--min-region-area A]
       [--skip-covered [--skip-similarity S]]`;

/** AmgOptions from the AMG flags (SAM's defaults for the ones not given). */
export function amgOptionsFrom(a: ParsedArgs): AmgOptions {
  const n = (flag: string): number | undefined => getNumber(a, flag);
  const pick = <K extends keyof AmgOptions>(key: K, v: AmgOptions[K] | undefined): Partial<AmgOptions> => (v === undefined ? {} : { [key]: v });
  return {
    ...pick('pointsPerSide', n('points-per-side')),
    ...pick('pointsPerBatch', n('points-per-batch')),
    ...pick('cropNLayers', n('crop-layers')),
    ...pick('predIouThresh', n('pred-iou-thresh')),
    ...pick('stabilityScoreThresh', n('stability-thresh')),
    ...pick('stabilityScoreOffset', n('stability-offset')),
    ...pick('boxNmsThresh', n('box-nms-thresh')),
    ...pick('minMaskRegionArea', n('min-region-area')),
    ...pick('skipCoveredSimilarity', n('skip-similarity')),
    ...(getFlag(a, 'skip-covered') ? { skipCovered: true } : {}),
  };
}

/** A progress line on stderr, redrawn in place on a terminal, every ~10 % otherwise. */
export function progressReporter(io: CliIo, label: string): (done: number, total: number, extra?: string) => void {
  const tty = process.stderr.isTTY === true;
  let lastTenth = -1;
  return (done, total, extra = '') => {
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    const width = 30;
    const fill = Math.round((pct / 100) * width);
    const line = `${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total}${extra ? ' ' + extra : ''}`;
    if (tty) io.stderr(`\r${line}${done >= total ? '\n' : ''}`);
    else if (Math.floor(pct / 10) !== lastTenth || done >= total) {
      lastTenth = Math.floor(pct / 10);
      io.stderr(line + '\n');
    }
  };
}

export const usage = `usage: samflow everything <image> ${AMG_USAGE}
       [--polygons] [--out masks.json] [--overlay overlay.png] [--detector-boxes ${DETECTOR_USAGE}] ${MODEL_USAGE}
  Segments everything (SAM's automatic mask generator, SAM's defaults). Without --out the JSON goes
  to stdout. masks.json: {"image":{"width","height","file_name"},"annotations":[{"id","segmentation":
  {"size":[h,w],"counts"},"area","bbox":[x,y,w,h],"predicted_iou","point_coords":[[x,y]],
  "stability_score","crop_box":[x,y,w,h]}]}   (+ "polygons" with --polygons)
  --skip-covered  skip grid points whose 3 masks are already known (about half the decoder runs and
                  time on 20 photos; >= 93% of the exhaustive masks found on each, most 100%, at the
                  default --skip-similarity 0.9; lower is faster and misses more)
  --detector-boxes  object-aware prompting (as MobileSAMv2): the COCO detector's boxes are prompted
                  first, then only grid points no accepted box mask holds (records' meta.promptBox)
  --nats URL      run it on a worker of that samflow cluster (same output)  ${CLUSTER_USAGE}`;

const FLAGS = {
  ...MODEL_FLAGS,
  ...AMG_FLAGS,
  polygons: { kind: 'boolean' },
  'detector-boxes': { kind: 'boolean' },
  ...DETECTOR_FLAGS,
  out: { kind: 'string' },
  overlay: { kind: 'string' },
  ...CLUSTER_FLAGS,
} as const;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseArgs(argv, FLAGS);
  if (a.positionals.length !== 1) throw new UsageError('give exactly one image');
  const image = a.positionals[0];
  const amg: AmgOptions & { promptBoxes?: readonly BoxXyxy[] } = amgOptionsFrom(a);
  const modelOptions = modelOptionsFrom(a);
  const maxPixels = getNumber(a, 'max-pixels');
  const out = getOutputPath(a, 'out');
  const overlay = getOutputPath(a, 'overlay');
  const frame = await decodeImage(image, maxPixels !== undefined ? { maxPixels } : {});
  const clusterOptions = clusterOptionsFrom(a);
  const t0 = Date.now();
  if (getFlag(a, 'detector-boxes')) {
    const detectOpts = detectOptionsFrom(a);
    const detector = await loadCocoDetector(detectorLoadOptionsFrom(a));
    try {
      amg.promptBoxes = detectionBoxes(await detector.detect(frame, detectOpts), frame);
    } finally {
      await detector.release();
    }
    io.stderr(`everything: ${amg.promptBoxes.length} detector boxes as prompts\n`);
  }
  let decoded = 0;
  let records: AmgRecord[];
  if (clusterOptions) {
    // the same job on a worker of the cluster (--nats); the overlay is drawn here
    const r = await runClusterJob(clusterOptions, image, { task: 'everything', options: { ...amg, polygons: getFlag(a, 'polygons') } });
    records = r.records as AmgRecord[];
  } else {
    const model = await loadSamModel({ decoderWorkers: amgDecoderWorkers(), ...modelOptions });
    try {
      const progress = progressReporter(io, 'everything');
      records = await generateMasks(model, frame, {
        ...amg,
        outputMode: 'coco_rle',
        polygons: getFlag(a, 'polygons'),
        onProgress: (p) => {
          decoded = p.decoded;
          progress(p.done, p.total, `points, ${p.decoded} decoder runs`);
        },
      });
    } finally {
      await model.release();
    }
  }
  const result = {
    image: { width: frame.width, height: frame.height, file_name: path.basename(image) },
    annotations: records.map((r, i) => ({
      id: i + 1,
      segmentation: r.segmentation,
      area: r.area,
      bbox: r.bbox,
      predicted_iou: r.predicted_iou,
      point_coords: r.point_coords,
      stability_score: r.stability_score,
      crop_box: r.crop_box,
      ...(r.polygons ? { polygons: r.polygons } : {}),
      // which prompt gave the mask: { gridIndex, maskIndex } (grid point, SAM's mask token 1–3) or { promptBox, maskIndex }
      ...(r.meta ? { meta: r.meta } : {}),
    })),
  };
  if (out !== undefined) await writeFile(out, JSON.stringify(result));
  else io.stdout(JSON.stringify(result) + '\n');
  if (overlay !== undefined) {
    const masks = records.map((r) => {
      if (!isCompressedRle(r.segmentation)) throw new Error('everything: expected COCO RLE records');
      return rleToMask(r.segmentation);
    });
    await writeFile(overlay, await renderOverlay(frame, masks, { outline: true }));
  }
  io.stderr(`everything: ${records.length} masks, ${decoded} decoder runs, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return 0;
}

/** Detections (XYWH) → XYXY boxes clipped to the image, the ones left with no area dropped. */
export function detectionBoxes(detections: readonly { readonly bbox: readonly [number, number, number, number] }[], image: { width: number; height: number }): BoxXyxy[] {
  const out: BoxXyxy[] = [];
  for (const d of detections) {
    const [x, y, w, h] = d.bbox;
    const b: BoxXyxy = [Math.max(0, x), Math.max(0, y), Math.min(image.width, x + w), Math.min(image.height, y + h)];
    if (b[2] > b[0] && b[3] > b[1]) out.push(b);
  }
  return out;
}
