/**
 * `samflow text <image> "a cat" [--clip DIR] [--top K] [--min-similarity S] [--candidates detector|everything]
 *   [--json] [--overlay O.png]`: text → masks. Candidate masks (detector instances, or SAM's automatic
 * masks) are ranked by CLIP similarity between the text and each masked crop.
 */
import { writeFile } from 'node:fs/promises';
import {
  generateMasks,
  loadCocoDetector,
  segmentInstances,
  decodeImage,
  compressRle,
  maskToRle,
  rleToMask,
  encodeImage,
  loadSamModel,
  renderOverlay,
  defaultClipFolder,
  loadClipModel,
  rankMasksByText,
  type BinaryMask,
  type BoxXywh,
  type CompressedRle,
} from '../core';
import { UsageError, getFlag, getNumber, getString, parseArgs, getOutputPath } from './args';
import type { CliIo } from './CliCommand';
import { DETECTOR_FLAGS, DETECTOR_USAGE, detectOptionsFrom, detectorLoadOptionsFrom } from './detect';
import { MODEL_FLAGS, MODEL_USAGE, modelOptionsFrom } from './modelOptions';

export const usage = `usage: samflow text <image> "<text>" [--clip DIR] [--top K] [--min-similarity S]
       [--candidates detector|everything [--points-per-side N]] ${DETECTOR_USAGE}
       ${MODEL_USAGE} [--json] [--overlay OVERLAY.png]
  Ranks candidate masks by CLIP similarity between the text and each masked crop.
  --clip            CLIP folder in the transformers.js layout (default: <samflow>/models/clip)
  --top             keep the K best masks (default 1)
  --min-similarity  keep masks whose cosine similarity is at least S (CLIP matches are ~0.2-0.35)
  --candidates      detector (default: every COCO detection segmented with a box prompt, fast)
                    or everything (SAM's automatic masks; ~1 min per image on 2 CPU cores)
  --points-per-side grid of the automatic masks (default 32; 16 is 4x faster, finds fewer masks)
  --json            {"width","height","text","candidates","masks":[{"similarity","segmentation","area","bbox","predicted_iou","class"?,"score"?}]}`;

const FLAGS = {
  ...DETECTOR_FLAGS,
  ...MODEL_FLAGS,
  clip: { kind: 'string' },
  top: { kind: 'integer', min: 1 },
  'min-similarity': { kind: 'number', min: -1, max: 1 },
  candidates: { kind: 'string' },
  'points-per-side': { kind: 'integer', min: 1 },
  overlay: { kind: 'string' },
  json: { kind: 'boolean' },
} as const;

interface Candidate {
  readonly mask: BinaryMask;
  readonly segmentation: CompressedRle;
  readonly area: number;
  readonly bbox: BoxXywh;
  readonly predicted_iou: number;
  readonly class?: string;
  readonly score?: number;
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseArgs(argv, FLAGS);
  if (a.positionals.length !== 2) throw new UsageError('give an image and a text, e.g. samflow text photo.jpg "a cat"');
  const [image, text] = a.positionals as [string, string];
  if (text.trim() === '') throw new UsageError('the text is empty');
  const source = getString(a, 'candidates') ?? 'detector';
  if (source !== 'detector' && source !== 'everything') throw new UsageError(`--candidates must be detector or everything, got "${source}"`);
  const top = getNumber(a, 'top') ?? 1;
  const pointsPerSide = getNumber(a, 'points-per-side');
  if (pointsPerSide !== undefined && source !== 'everything') throw new UsageError('--points-per-side goes with --candidates everything');
  const minSimilarity = getNumber(a, 'min-similarity');
  const detectOpts = detectOptionsFrom(a);
  const loadOpts = detectorLoadOptionsFrom(a);
  const modelOptions = modelOptionsFrom(a);
  const maxPixels = getNumber(a, 'max-pixels');

  const overlay = getOutputPath(a, 'overlay');
  // CLIP first: a missing model folder should fail before minutes of SAM work.
  const clip = await loadClipModel(getString(a, 'clip') ?? defaultClipFolder());
  try {
    const frame = await decodeImage(image, maxPixels !== undefined ? { maxPixels } : {});
    let candidates: Candidate[] = [];
    if (source === 'detector') {
      const detector = await loadCocoDetector(loadOpts);
      let detections;
      try {
        detections = await detector.detect(frame, detectOpts);
      } finally {
        await detector.release();
      }
      if (detections.length > 0) {
        const model = await loadSamModel(modelOptions);
        try {
          const instances = await segmentInstances(model, await encodeImage(model, frame), detections);
          candidates = instances.map(({ record: r, mask }) => ({
            mask,
            segmentation: r.segmentation,
            area: r.area,
            bbox: r.bbox,
            predicted_iou: r.predicted_iou,
            ...(r.class !== undefined ? { class: r.class } : {}),
            ...(r.score !== undefined ? { score: r.score } : {}),
          }));
        } finally {
          await model.release();
        }
      }
    } else {
      const model = await loadSamModel(modelOptions);
      try {
        const records = await generateMasks(model, frame, { outputMode: 'coco_rle', ...(pointsPerSide !== undefined ? { pointsPerSide } : {}) });
        candidates = records.map((r) => {
          const segmentation = r.segmentation as CompressedRle;
          return { mask: rleToMask(segmentation), segmentation, area: r.area, bbox: r.bbox, predicted_iou: r.predicted_iou };
        });
      } finally {
        await model.release();
      }
    }

    const ranked = await rankMasksByText(clip, frame, candidates, (c) => c.mask, text, {
      topK: top,
      ...(minSimilarity !== undefined ? { minSimilarity } : {}),
    });
    if (overlay !== undefined)
      await writeFile(
        overlay,
        await renderOverlay(
          frame,
          ranked.map((r) => r.item.mask),
        ),
      );
    if (getFlag(a, 'json')) {
      const result = {
        width: frame.width,
        height: frame.height,
        text,
        candidates: source,
        masks: ranked.map(({ item: c, similarity }) => ({
          similarity,
          segmentation: c.segmentation ?? compressRle(maskToRle(c.mask)),
          area: c.area,
          bbox: c.bbox,
          predicted_iou: c.predicted_iou,
          ...(c.class !== undefined ? { class: c.class } : {}),
          ...(c.score !== undefined ? { score: c.score } : {}),
        })),
      };
      io.stdout(JSON.stringify(result) + '\n');
    } else {
      io.stdout(`${image}: "${text}": ${ranked.length} of ${candidates.length} candidate mask(s) (${source})\n`);
      ranked.forEach(({ item: c, similarity }, i) => {
        io.stdout(`  ${i} similarity ${similarity.toFixed(3)}  area ${c.area} px${c.class ? `  (${c.class} ${(c.score ?? 0).toFixed(2)})` : ''}\n`);
      });
    }
    return 0;
  } finally {
    await clip.release();
  }
}
