import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { SamflowError, isSamflowError } from '../errors';
import { decodeImage } from '../image/decodeImage';
import type { SamModel } from '../model/SamModel';
import { listImages } from './listImages';
import type { AmgRecord } from '../records';
import type { BoxXywh, CompressedRle } from '../types';
import { generateMasks } from '../amg/generateMasks';
import type { CocoAnnotation, CocoCategory, CocoImage } from './stateToCoco';
import type { GenerateMasksOptions } from '../amg/generateMasksProgressive';

/** One annotation of the data engine: COCO fields plus SA-1B's (compatible with the annotation page's export). */
export interface AmgCocoAnnotation extends CocoAnnotation {
  readonly score: number;
  readonly predicted_iou: number;
  readonly stability_score: number;
  readonly point_coords: ReadonlyArray<readonly [number, number]>;
  readonly crop_box: BoxXywh;
}

/** COCO instances JSON as written by the data engine (one file for the folder). */
export interface AmgCocoInstances {
  images: CocoImage[];
  annotations: AmgCocoAnnotation[];
  categories: CocoCategory[];
  info?: Record<string, unknown>;
}

export interface AnnotateProgress {
  /** Images finished (including ones skipped because they were already in the output). */
  readonly imagesDone: number;
  readonly imageCount: number;
  /** The image being worked on (folder-relative). */
  readonly file: string;
  /** Grid points of the current image handled so far, and its total. */
  readonly pointsDone: number;
  readonly pointsTotal: number;
}

export interface AnnotateFolderOptions extends Omit<GenerateMasksOptions, 'outputMode' | 'embedded'> {
  /** The COCO JSON to write (atomically after each image). */
  readonly out: string;
  /** Keep the images already in `out` and annotate only the others. Default false: start afresh. */
  readonly resume?: boolean;
  /** Also write one SA-1B JSON per image here (`<file_name with / → __>.json`). */
  readonly sa1bDir?: string;
  readonly onProgress?: (p: AnnotateProgress) => void;
  /** Called for an image that cannot be read; it is left out and the run goes on. */
  readonly onImageError?: (file: string, error: SamflowError) => void;
}

export interface AnnotateFolderResult {
  readonly imagesAnnotated: number;
  readonly imagesSkipped: number;
  readonly imagesFailed: number;
  readonly annotations: number;
}

/** Write JSON to `file` atomically: a temporary file beside it, then rename. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fsp.writeFile(tmp, JSON.stringify(value));
  await fsp.rename(tmp, file);
}

function readExisting(out: string): AmgCocoInstances {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(out, 'utf8'));
  } catch (e) {
    throw new SamflowError('BAD_OPTION', `cannot resume from ${out}: it is not readable JSON (${(e as Error).message}); remove it or drop --resume`, out);
  }
  const c = parsed as Partial<AmgCocoInstances>;
  if (!Array.isArray(c.images) || !Array.isArray(c.annotations)) {
    throw new SamflowError('BAD_OPTION', `cannot resume from ${out}: it has no "images" and "annotations" arrays; remove it or drop --resume`, out);
  }
  return { images: c.images, annotations: c.annotations, categories: c.categories ?? [{ id: 1, name: 'object' }], info: c.info };
}

/** What annotating one image gave: its size and records, or why it could not be read. */
export type ImageAnnotation =
  { readonly width: number; readonly height: number; readonly records: readonly AmgRecord<CompressedRle>[]; readonly model?: string } | { readonly unreadable: SamflowError };

/**
 * The per-image work of annotateFolder, pluggable: `localAnnotator` (decode + generateMasks on a
 * model here) or a cluster's (core/cluster: the image goes to a worker). Unreadable images are
 * answered with `{unreadable}`; a throw stops the run.
 */
export interface ImageAnnotator {
  /** The model id written to the output's info (when known up front). */
  readonly modelId?: string;
  /** Images worked on at once; results are still written in file order. Default 1. */
  readonly concurrency?: number;
  annotate(file: string, absPath: string, ctx: { readonly signal?: AbortSignal; readonly onPoints: (done: number, total: number) => void }): Promise<ImageAnnotation>;
}

/** The local per-image work: decodeImage, then generateMasks with the AMG options. */
export function localAnnotator(model: SamModel, opts: Omit<GenerateMasksOptions, 'outputMode' | 'embedded'> = {}): ImageAnnotator {
  return {
    modelId: model.id,
    async annotate(file, absPath, ctx) {
      let frame;
      try {
        frame = await decodeImage(absPath, { id: file });
      } catch (e) {
        if (!isSamflowError(e)) throw e;
        return { unreadable: e };
      }
      const records = (await generateMasks(model, frame, {
        ...opts,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        outputMode: 'coco_rle',
        onProgress: (p) => ctx.onPoints(p.done, p.total),
      })) as AmgRecord<CompressedRle>[];
      return { width: frame.width, height: frame.height, records, model: model.id };
    },
  };
}

function isModel(x: SamModel | ImageAnnotator): x is SamModel {
  return typeof (x as SamModel).runEncoder === 'function';
}

/**
 * The data engine's fully automatic stage: "segment everything" on every image of a folder into one
 * COCO instances JSON (RLE segmentations, category 1 "object", score = predicted IoU), rewritten
 * atomically after each image so an interruption loses at most the images in progress; with
 * `resume`, images already in the output are skipped. Aborting `signal` stops after the current
 * decoder run and rejects; the output then holds every finished image. Give a model (local work)
 * or an ImageAnnotator (e.g. a cluster's); with several images at once, results are still written
 * in file order, so the output does not depend on where or how fast each image ran.
 */
export async function annotateFolder(modelOrAnnotator: SamModel | ImageAnnotator, folder: string, opts: AnnotateFolderOptions): Promise<AnnotateFolderResult> {
  const annotator = isModel(modelOrAnnotator) ? localAnnotator(modelOrAnnotator, opts) : modelOrAnnotator;
  const concurrency = annotator.concurrency ?? 1;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new SamflowError('BAD_OPTION', `annotate: concurrency must be a whole number >= 1, got ${String(concurrency)}`);
  let folderReal: string;
  try {
    folderReal = await fsp.realpath(folder);
    if (!(await fsp.stat(folderReal)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new SamflowError('BAD_OPTION', `annotate: ${folder} is not a readable folder; give the folder of images to annotate`, folder);
  }
  const files = await listImages(folderReal);
  const coco: AmgCocoInstances = opts.resume && fs.existsSync(opts.out) ? readExisting(opts.out) : { images: [], annotations: [], categories: [{ id: 1, name: 'object' }] };
  coco.info = { description: 'samflow annotate (automatic masks)', ...(annotator.modelId !== undefined ? { model: annotator.modelId } : {}), ...(coco.info ?? {}) };
  const done = new Set(coco.images.map((i) => i.file_name));
  let nextImageId = coco.images.reduce((m, i) => Math.max(m, i.id), 0) + 1;
  let nextAnnId = coco.annotations.reduce((m, a) => Math.max(m, a.id), 0) + 1;
  if (opts.sa1bDir) await fsp.mkdir(opts.sa1bDir, { recursive: true });
  const todo = files.filter((f) => !done.has(f));
  const skipped = files.length - todo.length;
  let annotated = 0;
  let failed = 0;
  let finished = skipped;

  type Outcome = { ok: ImageAnnotation } | { fatal: unknown };
  const started: Promise<Outcome>[] = [];
  const start = (i: number): void => {
    const file = todo[i];
    opts.onProgress?.({ imagesDone: finished, imageCount: files.length, file, pointsDone: 0, pointsTotal: 0 });
    started[i] = annotator
      .annotate(file, path.join(folderReal, file), {
        ...(opts.signal ? { signal: opts.signal } : {}),
        onPoints: (d, t) => opts.onProgress?.({ imagesDone: finished, imageCount: files.length, file, pointsDone: d, pointsTotal: t }),
      })
      .then(
        (ok): Outcome => ({ ok }),
        (fatal: unknown): Outcome => ({ fatal }),
      );
  };
  let launched = 0;
  for (let i = 0; i < todo.length; i++) {
    opts.signal?.throwIfAborted();
    while (launched < todo.length && launched - i < concurrency) start(launched++);
    const outcome = await started[i];
    if ('fatal' in outcome) throw outcome.fatal;
    const file = todo[i];
    const a = outcome.ok;
    if ('unreadable' in a) {
      failed++;
      finished++;
      opts.onImageError?.(file, a.unreadable);
      continue;
    }
    if (coco.info.model === undefined && a.model !== undefined) coco.info.model = a.model;
    const imageId = nextImageId++;
    coco.images.push({ id: imageId, file_name: file, width: a.width, height: a.height });
    const anns = a.records.map((r): AmgCocoAnnotation => ({
      id: nextAnnId++,
      image_id: imageId,
      category_id: 1,
      segmentation: r.segmentation,
      area: r.area,
      bbox: r.bbox,
      iscrowd: 0,
      score: r.predicted_iou,
      predicted_iou: r.predicted_iou,
      stability_score: r.stability_score,
      point_coords: r.point_coords,
      crop_box: r.crop_box,
    }));
    coco.annotations.push(...anns);
    if (opts.sa1bDir) {
      const sa1b = {
        image: { image_id: imageId, width: a.width, height: a.height, file_name: file },
        annotations: anns.map(({ image_id: _i, category_id: _c, iscrowd: _z, score: _s, ...ann }) => ann),
      };
      await writeJsonAtomic(path.join(opts.sa1bDir, `${file.replace(/\//g, '__')}.json`), sa1b);
    }
    await writeJsonAtomic(opts.out, coco);
    annotated++;
    finished++;
    opts.onProgress?.({ imagesDone: finished, imageCount: files.length, file, pointsDone: 0, pointsTotal: 0 });
  }
  if (annotated === 0 && !fs.existsSync(opts.out)) await writeJsonAtomic(opts.out, coco);
  return { imagesAnnotated: annotated, imagesSkipped: skipped, imagesFailed: failed, annotations: coco.annotations.length };
}
