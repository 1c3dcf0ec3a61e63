import { generateEdgeMap } from '../amg/generateEdgeMap';
import { generateMasks } from '../amg/generateMasks';
import { generateProposals } from '../amg/generateProposals';
import type { CocoDetector } from '../detect/Detection';
import { segmentInstances } from '../detect/segmentInstances';
import { DEFAULT_MAX_PIXELS, decodeImage } from '../image/decodeImage';
import { toRecords, type AmgRecord } from '../records';
import { decodeMasks } from '../model/decodeMasks';
import { encodeImage } from '../model/encodeImage';
import type { SamModel } from '../model/SamModel';
import { validatePrompt } from '../prompts/encodePrompts';
import type { CompressedRle, EmbeddedFrame, MaskCandidate } from '../types';
import type { SamJob, SamJobPrompt, SamJobRecord, SamJobSuccess } from './SamJob';

export interface RunSamJobOptions {
  /** Largest image accepted (pixels); a job's own `maxPixels` can only lower it. Default 100 M. */
  readonly maxPixels?: number;
  /** instances jobs without detections: the COCO detector (loaded on first use by the caller). */
  readonly detector?: () => Promise<CocoDetector>;
  /** Called while long tasks make progress (AMG batches): the worker heartbeats the job. */
  readonly onProgress?: () => void;
  readonly signal?: AbortSignal;
}

/**
 * The segment task: each prompt decoded against the embedding (SAM's multimask rule unless
 * `multimask` is given), every mask a record; `meta.promptIndex` says which prompt it answers.
 */
export async function segmentPrompts(
  model: SamModel,
  embedded: EmbeddedFrame,
  prompts: readonly SamJobPrompt[],
  opts: { readonly multimask?: boolean; readonly signal?: AbortSignal; readonly onPrompt?: () => void } = {},
): Promise<AmgRecord<CompressedRle>[]> {
  const candidates: MaskCandidate[] = [];
  for (const [i, p] of prompts.entries()) {
    opts.signal?.throwIfAborted();
    const prompt = { ...p, meta: { ...(p.meta ?? {}), promptIndex: i } };
    candidates.push(...(await decodeMasks(model, embedded, prompt, opts.multimask !== undefined ? { multimask: opts.multimask } : {})));
    opts.onPrompt?.();
  }
  return toRecords(candidates, { outputMode: 'coco_rle' });
}

/** What a task produced, before the worker adds its name, attempt and timings. */
export type SamJobOutput = Pick<SamJobSuccess, 'width' | 'height' | 'model' | 'records' | 'edgeMap'> & { readonly decodeMs: number; readonly runMs: number };

/**
 * One job on a local model with samflow's own functions: segment → decodeMasks + toRecords (one
 * record per mask, `meta.promptIndex` says which prompt), everything → generateMasks, proposals →
 * generateProposals, instances → segmentInstances on the given or detected boxes, edges →
 * generateEdgeMap (PNG). Records are COCO-RLE SA-1B records as everywhere in samflow. Bad images,
 * prompts and options throw SamflowError (deterministic: the worker answers with an error result).
 */
export async function runSamJob(model: SamModel, job: SamJob, opts: RunSamJobOptions = {}): Promise<SamJobOutput> {
  const o = job.options ?? {};
  const maxPixels = Math.min(opts.maxPixels ?? DEFAULT_MAX_PIXELS, typeof o.maxPixels === 'number' && o.maxPixels > 0 ? o.maxPixels : Infinity);
  const t0 = performance.now();
  const frame = await decodeImage(job.image, { maxPixels, id: job.id, sourceName: job.source ?? `job ${job.id}` });
  const t1 = performance.now();
  const amg = { ...o, outputMode: 'coco_rle' as const, ...(opts.signal ? { signal: opts.signal } : {}), onProgress: () => opts.onProgress?.() };
  let records: readonly SamJobRecord[] = [];
  let edgeMap: Uint8Array | undefined;
  switch (job.task) {
    case 'segment': {
      job.prompts?.forEach((p) => validatePrompt(p, frame.width, frame.height));
      records = await segmentPrompts(model, await encodeImage(model, frame), job.prompts ?? [], {
        ...(o.multimask !== undefined ? { multimask: o.multimask } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        onPrompt: () => opts.onProgress?.(),
      });
      break;
    }
    case 'everything':
      records = (await generateMasks(model, frame, amg)) as AmgRecord<CompressedRle>[];
      break;
    case 'proposals':
      records = await generateProposals(model, frame, amg);
      break;
    case 'edges':
      edgeMap = new Uint8Array(await generateEdgeMap(model, frame, amg));
      break;
    case 'instances': {
      const embedded = await encodeImage(model, frame);
      let boxes = job.detections;
      if (!boxes) {
        if (!opts.detector) throw new Error('instances job without detections and this worker has no detector');
        const detector = await opts.detector();
        boxes = await detector.detect(frame, o.detect);
      }
      const { detect: _d, maxPixels: _m, ...segOpts } = o;
      records = (await segmentInstances(model, embedded, boxes, segOpts)).map((i) => i.record);
      break;
    }
  }
  return { width: frame.width, height: frame.height, model: model.id, records, ...(edgeMap ? { edgeMap } : {}), decodeMs: t1 - t0, runMs: performance.now() - t1 };
}
