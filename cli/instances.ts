/**
 * `samflow instances <image> [--classes cat] [--min-score S] [--out-dir DIR] [--overlay O.png] [--json]`:
 * the seed's "cat detector → instance masks": each detector box becomes a SAM box prompt.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  loadCocoDetector,
  segmentInstances,
  type SegmentInstancesOptions,
  decodeImage,
  maskToPng,
  encodeImage,
  loadSamModel,
  renderOverlay,
  type BoxXyxy,
  rleToMask,
  type InstanceRecord,
  type BinaryMask,
} from '../core';
import { UsageError, getFlag, getNumber, getString, parseArgs, getOutputPath } from './args';
import type { CliIo } from './CliCommand';
import { DETECTOR_FLAGS, DETECTOR_USAGE, detectOptionsFrom, detectorLoadOptionsFrom, roundDetection } from './detect';
import { MODEL_FLAGS, MODEL_USAGE, modelOptionsFrom } from './modelOptions';
import { CLUSTER_FLAGS, CLUSTER_USAGE, clusterOptionsFrom } from './clusterOptions';
import { runClusterJob } from './clusterJob';

export const usage = `usage: samflow instances <image> ${DETECTOR_USAGE}
       [--max-instances N] [--expand PX] [--box-jitter F] ${MODEL_USAGE}
       [--out-dir DIR] [--overlay OVERLAY.png] [--json]
  Detects objects with the offline COCO detector and segments each with SAM (box prompt).
  --max-instances  at most N instances, highest detector score first (default 20)
  --expand         pad each detector box by PX pixels per side before prompting (default 0)
  --box-jitter     average the masks of 4 jittered boxes (fraction, e.g. 0.05; 5x decoder time)
  --out-dir        one mask PNG per instance: <index>-<class>.png (255 inside)
  --overlay        the image with every instance mask and its detector box
  --json           {"width","height","instances":[{"class","score","box":[x,y,w,h],
                    "segmentation":{"size":[h,w],"counts"},"area","bbox":[x,y,w,h],"predicted_iou"}]}
  --nats URL       detect and segment on a worker of that samflow cluster (same output)  ${CLUSTER_USAGE}`;

const FLAGS = {
  ...DETECTOR_FLAGS,
  ...MODEL_FLAGS,
  'max-instances': { kind: 'integer', min: 1 },
  expand: { kind: 'number', min: 0 },
  'box-jitter': { kind: 'number', min: 0, max: 0.49 },
  'out-dir': { kind: 'string' },
  overlay: { kind: 'string' },
  json: { kind: 'boolean' },
  ...CLUSTER_FLAGS,
} as const;

/** A file-name-safe class name ("traffic light" → "traffic-light"). */
function slug(name: string | undefined): string {
  return (name ?? 'object').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'object';
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseArgs(argv, FLAGS);
  if (a.positionals.length !== 1) throw new UsageError('give exactly one image');
  const image = a.positionals[0];
  const detectOpts = detectOptionsFrom(a);
  const maxInstances = getNumber(a, 'max-instances') ?? 20;
  const expand = getNumber(a, 'expand');
  const boxJitter = getNumber(a, 'box-jitter');
  const modelOptions = modelOptionsFrom(a);
  const maxPixels = getNumber(a, 'max-pixels');
  const outDir = getString(a, 'out-dir');
  const overlay = getOutputPath(a, 'overlay');

  const loadOpts = detectorLoadOptionsFrom(a);
  const frame = await decodeImage(image, maxPixels !== undefined ? { maxPixels } : {});
  const segOpts: SegmentInstancesOptions = {
    maxInstances,
    ...(expand !== undefined ? { expand } : {}),
    ...(boxJitter !== undefined ? { boxJitter } : {}),
  };
  const clusterOptions = clusterOptionsFrom(a);
  let instances: { record: InstanceRecord; mask: BinaryMask }[] = [];
  if (clusterOptions) {
    // detector and SAM on a worker of the cluster (--nats)
    const r = await runClusterJob(clusterOptions, image, { task: 'instances', options: { ...segOpts, detect: { ...detectOpts, maxDetections: maxInstances } } });
    instances = (r.records as InstanceRecord[]).map((record) => ({ record, mask: rleToMask(record.segmentation) }));
  } else {
    const detector = await loadCocoDetector(loadOpts);
    let detections;
    try {
      detections = (await detector.detect(frame, { ...detectOpts, maxDetections: maxInstances })).map(roundDetection);
    } finally {
      await detector.release();
    }
    if (detections.length > 0) {
      // The encoder (the heavy step) only runs when there is something to segment.
      const model = await loadSamModel(modelOptions);
      try {
        instances = await segmentInstances(model, await encodeImage(model, frame), detections, segOpts);
      } finally {
        await model.release();
      }
    }
  }

  if (outDir !== undefined) {
    await mkdir(outDir, { recursive: true });
    await Promise.all(instances.map(async (inst, i) => writeFile(path.join(outDir, `${i}-${slug(inst.record.class)}.png`), await maskToPng(inst.mask))));
  }
  if (overlay !== undefined) {
    const boxes = instances.map(({ record: { box } }): BoxXyxy => [box[0], box[1], box[0] + box[2], box[1] + box[3]]);
    await writeFile(
      overlay,
      await renderOverlay(
        frame,
        instances.map((i) => i.mask),
        { boxes },
      ),
    );
  }
  if (getFlag(a, 'json')) {
    const result = {
      width: frame.width,
      height: frame.height,
      instances: instances.map(({ record: r }) => ({
        class: r.class,
        score: r.score,
        box: r.box,
        segmentation: r.segmentation,
        area: r.area,
        bbox: r.bbox,
        predicted_iou: r.predicted_iou,
      })),
    };
    io.stdout(JSON.stringify(result) + '\n');
  } else {
    io.stdout(`${image}: ${frame.width}x${frame.height}, ${instances.length} instance(s)\n`);
    instances.forEach(({ record: r }, i) => {
      io.stdout(`  ${i} ${(r.class ?? '?').padEnd(14)} score ${(r.score ?? 0).toFixed(2)}  area ${r.area} px  predicted IoU ${r.predicted_iou.toFixed(3)}\n`);
    });
    if (outDir === undefined && overlay === undefined) io.stdout('  (use --out-dir, --overlay or --json to save the masks)\n');
  }
  return 0;
}
