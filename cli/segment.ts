/**
 * `samflow segment <image> [--point X,Y[,LABEL]]... [--box X0,Y0,X1,Y1] [--multimask] [--model ID | --encoder PATH --decoder PATH]
 *   [--out MASK.png] [--overlay OVERLAY.png] [--json]`: click/box → mask on one image.
 */
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  SamflowError,
  candidateToMask,
  decodeImage,
  decodeMasks,
  encodeImage,
  loadSamModel,
  maskArea,
  maskRecordFields,
  maskToPng,
  renderOverlay,
  rleToMask,
  validatePrompt,
  type AmgRecord,
  type BinaryMask,
  type BoxXyxy,
  type CompressedRle,
  type PointPrompt,
  type SamPrompt,
} from '../core';
import { UsageError, getFlag, getList, getNumber, getOutputPath, getString, parseArgs } from './args';
import type { CliIo } from './CliCommand';
import { MODEL_FLAGS, MODEL_USAGE, modelOptionsFrom } from './modelOptions';
import { CLUSTER_FLAGS, CLUSTER_USAGE, clusterOptionsFrom } from './clusterOptions';
import { runClusterJob } from './clusterJob';

export const usage = `usage: samflow segment <image> [--point X,Y[,LABEL]]... [--box X0,Y0,X1,Y1] [--multimask]
       ${MODEL_USAGE}
       [--out MASK.png] [--overlay OVERLAY.png] [--json]
  X,Y are pixels of the original image (after EXIF rotation); LABEL 1 (foreground, default) or 0.
  --multimask  all 3 of SAM's ambiguity masks (whole / part / subpart), best first, whatever the
             prompt; without it SAM's rule: 3 for one click without a box, else 1
  --out      single-channel PNG, 255 inside the best mask; with --multimask also MASK-1.png and
             MASK-2.png for the next ones (the index is the rank, best first)
  --overlay  the image with the best mask, prompts and box drawn on it
  --json     {"width","height","model","masks":[{"segmentation":{"size":[h,w],"counts"},"area","bbox",
             "predicted_iou","mask_index"}]}, best first (mask_index: the decoder's mask token)
  --nats URL run it on a worker of that samflow cluster (same output)  ${CLUSTER_USAGE}`;

const FLAGS = {
  ...MODEL_FLAGS,
  point: { kind: 'list' },
  box: { kind: 'string' },
  multimask: { kind: 'boolean' },
  out: { kind: 'string' },
  overlay: { kind: 'string' },
  json: { kind: 'boolean' },
  ...CLUSTER_FLAGS,
} as const;

/** One number of --point/--box: empty or non-numeric parts are usage errors (Number('') would be 0). */
function coordinate(part: string, flag: string, text: string): number {
  const n = part.trim() === '' ? NaN : Number(part);
  if (!Number.isFinite(n))
    throw new UsageError(`--${flag} "${text}": "${part}" is not a number; give pixel coordinates like --${flag} ${flag === 'box' ? '10,20,200,180' : '120,80'}`);
  return n;
}

/** "X,Y[,LABEL]" → a point; the numbers themselves are checked against the image later. */
export function parsePoint(text: string): PointPrompt {
  const parts = text.split(',');
  if (parts.length < 2 || parts.length > 3) throw new UsageError(`--point must be X,Y or X,Y,LABEL, got "${text}"`);
  const label = parts.length === 3 ? (parts[2].trim() === '' ? undefined : Number(parts[2])) : 1;
  return { x: coordinate(parts[0], 'point', text), y: coordinate(parts[1], 'point', text), label: label as 0 | 1 };
}

export function parseBox(text: string): BoxXyxy {
  const parts = text.split(',');
  if (parts.length !== 4) throw new UsageError(`--box must be X0,Y0,X1,Y1, got "${text}"`);
  const [x0, y0, x1, y1] = parts.map((p) => coordinate(p, 'box', text)) as [number, number, number, number];
  return [x0, y0, x1, y1];
}

/** `mask.png` for the best mask (rank 0), `mask-1.png`, `mask-2.png`, ... for the next ones. */
export function rankedPath(out: string, rank: number): string {
  if (rank === 0) return out;
  const ext = path.extname(out);
  return `${out.slice(0, out.length - ext.length)}-${rank}${ext}`;
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseArgs(argv, FLAGS);
  if (a.positionals.length !== 1) throw new UsageError('give exactly one image');
  const image = a.positionals[0];
  const points = getList(a, 'point').map(parsePoint);
  const boxText = getString(a, 'box');
  const box = boxText !== undefined ? parseBox(boxText) : undefined;
  if (points.length === 0 && !box) throw new UsageError('give at least one --point or a --box');
  const modelOptions = modelOptionsFrom(a);
  const maxPixels = getNumber(a, 'max-pixels');
  const out = getOutputPath(a, 'out');
  const overlay = getOutputPath(a, 'overlay');

  const frame = await decodeImage(image, maxPixels !== undefined ? { maxPixels } : {});
  const prompt: SamPrompt = { ...(points.length ? { points } : {}), ...(box ? { box } : {}) };
  // check the prompt against the image before paying for the model
  try {
    validatePrompt(prompt, frame.width, frame.height);
  } catch (e) {
    if (e instanceof SamflowError) throw new SamflowError(e.code, `${image}: ${e.message}`, image, { cause: e });
    throw e;
  }
  const clusterOptions = clusterOptionsFrom(a);
  const multimask = getFlag(a, 'multimask');
  let masks: { candidate: { predictedIou: number; maskIndex: number }; mask: BinaryMask }[];
  let modelId: string;
  if (clusterOptions) {
    // the same prompt on a worker of the cluster (--nats); masks come back as COCO RLE
    const r = await runClusterJob(clusterOptions, image, { task: 'segment', prompts: [prompt], ...(multimask ? { options: { multimask } } : {}) });
    masks = (r.records as AmgRecord<CompressedRle>[]).map((rec) => ({
      candidate: { predictedIou: rec.predicted_iou, maskIndex: typeof rec.meta?.maskIndex === 'number' ? rec.meta.maskIndex : 0 },
      mask: rleToMask(rec.segmentation),
    }));
    modelId = r.model;
  } else {
    const model = await loadSamModel(modelOptions);
    try {
      const embedded = await encodeImage(model, frame);
      const candidates = await decodeMasks(model, embedded, prompt, multimask ? { multimask: true } : {});
      masks = candidates.map((c) => ({ candidate: c, mask: candidateToMask(c) }));
      modelId = model.id;
    } finally {
      await model.release();
    }
  }
  if (multimask && masks.length < 2) {
    io.stderr(`samflow segment: model "${modelId}" returns one mask per prompt; --multimask gives only that one\n`);
  }
  if (out !== undefined) {
    const written = multimask ? masks.length : 1;
    for (let i = 0; i < written; i++) await writeFile(rankedPath(out, i), await maskToPng(masks[i].mask));
  }
  if (overlay !== undefined) {
    const png = await renderOverlay(
      frame,
      masks.slice(0, 1).map((m) => m.mask),
      { points, boxes: box ? [box] : [], outline: true },
    );
    await writeFile(overlay, png);
  }
  if (getFlag(a, 'json')) {
    const result = {
      width: frame.width,
      height: frame.height,
      model: modelId,
      masks: masks.map(({ candidate, mask }) => ({
        ...maskRecordFields(mask),
        predicted_iou: candidate.predictedIou,
        mask_index: candidate.maskIndex,
      })),
    };
    io.stdout(JSON.stringify(result) + '\n');
  } else if (out === undefined && overlay === undefined) {
    const best = masks[0];
    const others = masks
      .slice(1)
      .map((m) => `area ${maskArea(m.mask)} px, IoU ${m.candidate.predictedIou.toFixed(3)}`)
      .join('; ');
    io.stdout(
      `${image}: ${frame.width}x${frame.height}, best mask area ${maskArea(best.mask)} px, predicted IoU ${best.candidate.predictedIou.toFixed(3)}` +
        (others ? ` (then ${others})` : '') +
        ` (use --out, --overlay or --json to save ${masks.length > 1 ? 'them' : 'it'})\n`,
    );
  }
  return 0;
}
