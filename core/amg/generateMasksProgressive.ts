import { encodeImage } from '../model/encodeImage';
import { decodeMasks } from '../model/decodeMasks';
import type { SamModel } from '../model/SamModel';
import { nonMaxSuppression, boxAreaXyxy } from '../masks/nonMaxSuppression';
import { toRecords, type AmgRecord } from '../records';
import type { BoxXyxy, EmbeddedFrame, Frame, MaskCandidate } from '../types';
import { resolveAmgOptions, type AmgOptions, type ResolvedAmgOptions } from './AmgOptions';
import { generateCropBoxes } from './generateCropBoxes';
import { cropFrame } from './cropFrame';
import { candidateStability } from '../masks/candidateStability';
import { candidateBoxXyxy } from './candidateBoxXyxy';
import { isBoxNearCropEdge } from './isBoxNearCropEdge';
import { boxXyxyToXywh } from '../masks/boxXyxyToXywh';
import { CoverageSkipper, coarseToFineOrder, gridLowResIndex, skipCoveredRule } from './CoverageSkipper';
import { checkPromptBoxes } from './checkPromptBoxes';

/** A grid point counts as covered by an accepted box mask when its low-res logit is above this (SAM's stability offset). */
const BOX_COVER_LOGIT = 1;

/** Options of generateMasks / generateMasksProgressive. */
export interface GenerateMasksOptions extends AmgOptions {
  /** Cancels: no decoder run starts after the signal fires; the iteration rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** The whole image's embedding when the caller already has it (skips one encoder run). */
  readonly embedded?: EmbeddedFrame;
  /**
   * Object-aware prompting (as MobileSAMv2): boxes [x0, y0, x1, y1] in image pixels (e.g. a
   * detector's) decoded first as box prompts (one mask each, SAM's rule for a box), filtered as grid
   * masks; then only the grid points that no accepted box mask holds are decoded. Their records'
   * meta is `{ promptBox, maskIndex }` (index into this list). At most `maxPromptsPerMessage` (256).
   */
  readonly promptBoxes?: readonly BoxXyxy[];
}

/** Progress after each batch of grid points. */
export interface AmgBatchEvent {
  readonly kind: 'batch';
  /** Grid points handled so far (decoded or skipped), over all crops. */
  readonly done: number;
  readonly total: number;
  /** Decoder runs so far. */
  readonly decoded: number;
  readonly cropIndex: number;
  /** Candidates of this batch that passed the IoU and stability filters (crop frame, before NMS). */
  readonly candidates: readonly MaskCandidate[];
}

/** The final result. */
export interface AmgDoneEvent {
  readonly kind: 'done';
  readonly done: number;
  readonly total: number;
  readonly decoded: number;
  readonly records: AmgRecord[];
}

export type AmgEvent = AmgBatchEvent | AmgDoneEvent;

/** A filtered candidate with its box (XYXY, whole-image pixels) and crop. */
interface Survivor {
  readonly candidate: MaskCandidate;
  readonly box: BoxXyxy;
  readonly cropBox: BoxXyxy;
}

interface CropState {
  done: number;
  decoded: number;
}

/** Promise.all that settles only when every run has: a failed group rejects with its first error once none of its runs is left running. */
async function settledAll<T>(runs: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(runs);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/**
 * One crop, SAM's `_process_crop` + `_process_batch`: decode every grid point (or, with skipCovered,
 * every point not yet explained), filter by predicted IoU and stability on the low-res logits, drop
 * masks touching an inner crop edge, then box NMS within the crop. Yields one event per batch.
 */
async function* processCrop(
  model: SamModel,
  embedded: EmbeddedFrame,
  cropBox: BoxXyxy,
  layerIdx: number,
  orig: { width: number; height: number },
  o: ResolvedAmgOptions,
  cropIndex: number,
  state: CropState,
  total: number,
  signal: AbortSignal | undefined,
  promptBoxes: readonly BoxXyxy[] = [],
): AsyncGenerator<AmgBatchEvent, Survivor[]> {
  const cw = cropBox[2] - cropBox[0];
  const ch = cropBox[3] - cropBox[1];
  const grid = o.pointGrids[layerIdx];
  const points = grid.map((p) => [p[0] * cw, p[1] * ch] as const); // crop pixels
  const order = o.skipCovered ? coarseToFineOrder(points.length) : points.map((_, i) => i);
  const skipper = o.skipCovered ? new CoverageSkipper(embedded, points, skipCoveredRule(o)) : undefined;
  const origBox: BoxXyxy = [0, 0, orig.width, orig.height];
  const cropXywh = boxXyxyToXywh(cropBox);
  const kept: Survivor[] = [];
  // points decoded together: as many as the model runs in parallel (decoder workers), chosen in
  // visiting order from what is known then (see the loop below), so the result does not depend on timing
  const together = Math.max(1, Math.floor(model.decoderConcurrency ?? 1));
  /** Scores one prompt's masks (stability) and filters them; keeps the survivors. */
  const accept = (cands: readonly MaskCandidate[], batch: MaskCandidate[]): { scored: MaskCandidate[]; accepted: MaskCandidate[] } => {
    const scored = cands.map((c) => ({ ...c, stabilityScore: candidateStability(c, o.stabilityScoreOffset), cropBox: cropXywh }));
    const accepted: MaskCandidate[] = [];
    for (const c of scored) {
      if (o.predIouThresh > 0 && !(c.predictedIou > o.predIouThresh)) continue;
      if (o.stabilityScoreThresh > 0 && !(c.stabilityScore >= o.stabilityScoreThresh)) continue;
      const b = candidateBoxXyxy(c);
      if (isBoxNearCropEdge(b, cropBox, origBox)) continue;
      // the decoder output may be a view into a larger buffer: keep only this mask's logits;
      // the record's meta says which prompt (grid point or box) and which of its masks (SAM's token 1–3) it was
      const own: MaskCandidate = {
        ...c,
        lowResLogits: Float32Array.from(c.lowResLogits),
        prompt: { ...c.prompt, meta: { ...c.prompt.meta, maskIndex: c.maskIndex } },
      };
      batch.push(own);
      accepted.push(own);
      kept.push({ candidate: own, box: [b[0] + cropBox[0], b[1] + cropBox[1], b[2] + cropBox[0], b[3] + cropBox[1]], cropBox });
    }
    return { scored, accepted };
  };
  // object-aware prompting (MobileSAMv2): the boxes first; grid points inside an accepted box mask are not decoded
  const boxCovered = new Uint8Array(points.length);
  if (promptBoxes.length > 0) {
    const lowIdx = gridLowResIndex(embedded.transform, points);
    const batch: MaskCandidate[] = [];
    for (let g = 0; g < promptBoxes.length; g += together) {
      signal?.throwIfAborted();
      const group = promptBoxes.slice(g, g + together);
      const decoded = await settledAll(group.map((box, i) => decodeMasks(model, embedded, { box, meta: { promptBox: g + i } }, { multimask: false })));
      for (const cands of decoded) {
        state.decoded++;
        for (const c of accept(cands, batch).accepted) {
          for (let q = 0; q < points.length; q++) if (c.lowResLogits[lowIdx[q]] > BOX_COVER_LOGIT) boxCovered[q] = 1;
        }
      }
    }
    yield { kind: 'batch', done: state.done, total, decoded: state.decoded, cropIndex, candidates: batch };
  }
  /** A group of grid points sent to the decoder, whose results are not taken in yet. */
  interface InFlight {
    readonly group: readonly number[];
    readonly decoded: Promise<MaskCandidate[][]>;
  }
  const takeIn = async (f: InFlight, batch: MaskCandidate[]): Promise<void> => {
    const decoded = await f.decoded;
    for (let gi = 0; gi < f.group.length; gi++) {
      const k = f.group[gi];
      state.decoded++;
      const { scored } = accept(decoded[gi], batch);
      skipper?.addDecoded(
        k,
        scored.map((c) => ({ lowResLogits: c.lowResLogits, predictedIou: c.predictedIou, stabilityScore: c.stabilityScore ?? 0 })),
      );
    }
  };
  // Two groups in flight: the next group is sent before the last one's masks are scored, so the
  // decoder workers do not wait for the scoring, the skip decisions and the messages in between.
  // A group's skip decisions therefore use what is known up to the group before the last one; the
  // order is fixed (not timing), and each batch is taken in whole before its event.
  let pending: InFlight | undefined;
  try {
    for (let start = 0; start < order.length; start += o.pointsPerBatch) {
      const batch: MaskCandidate[] = [];
      const slice = order.slice(start, start + o.pointsPerBatch);
      for (let g = 0; g < slice.length;) {
        const group: number[] = [];
        while (g < slice.length && group.length < together) {
          const k = slice[g++];
          state.done++;
          if (boxCovered[k] !== 1 && !skipper?.isExplained(k)) group.push(k);
        }
        if (group.length === 0) continue;
        signal?.throwIfAborted();
        const next: InFlight = {
          group,
          decoded: settledAll(
            group.map((k) => decodeMasks(model, embedded, { points: [{ x: points[k][0], y: points[k][1], label: 1 }], meta: { gridIndex: k } }, { multimask: true })),
          ),
        };
        next.decoded.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
        const last = pending;
        pending = next;
        if (last) await takeIn(last, batch);
      }
      if (pending) {
        const last = pending;
        pending = undefined;
        await takeIn(last, batch);
      }
      yield { kind: 'batch', done: state.done, total, decoded: state.decoded, cropIndex, candidates: batch };
    }
  } finally {
    // an abort or a failed decode leaves at most one group running: let it finish before returning
    if (pending) await pending.decoded.catch(() => undefined);
  }
  const keep = nonMaxSuppression(
    kept.map((s) => s.box),
    kept.map((s) => s.candidate.predictedIou),
    o.boxNmsThresh,
  );
  return keep.map((i) => kept[i]);
}

/**
 * Automatic mask generation as an async iterable: one `batch` event per `pointsPerBatch` grid points
 * (progress done/total, the batch's filtered candidates), then one `done` event with the SA-1B
 * records. Same stages and defaults as segment-anything's `SamAutomaticMaskGenerator.generate`;
 * filtering happens on low-res logits and only survivors are upscaled. Aborting `signal` stops
 * further decoder runs and rejects the iteration.
 *
 * ## Example
 * ```ts
 * for await (const ev of generateMasksProgressive(model, frame, { skipCovered: true })) {
 *   if (ev.kind === 'batch') console.log(`${ev.done}/${ev.total}`);
 *   else console.log(ev.records.length, 'masks');
 * }
 * ```
 */
export async function* generateMasksProgressive(model: SamModel, frame: Frame, opts: GenerateMasksOptions = {}): AsyncGenerator<AmgEvent, void> {
  const o = resolveAmgOptions(opts);
  const promptBoxes = checkPromptBoxes(opts.promptBoxes, frame);
  const signal = opts.signal;
  signal?.throwIfAborted();
  const { cropBoxes, layerIdxs } = generateCropBoxes([frame.height, frame.width], o.cropNLayers, o.cropOverlapRatio);
  const total = layerIdxs.reduce((s, l) => s + o.pointGrids[l].length, 0);
  const state: CropState = { done: 0, decoded: 0 };
  const survivors: Survivor[] = [];
  for (let i = 0; i < cropBoxes.length; i++) {
    const cropBox = cropBoxes[i];
    signal?.throwIfAborted();
    const embedded =
      i === 0 && opts.embedded && opts.embedded.frame.id === frame.id && opts.embedded.modelId === model.id ? opts.embedded : await encodeImage(model, cropFrame(frame, cropBox));
    const it = processCrop(model, embedded, cropBox, layerIdxs[i], frame, o, i, state, total, signal, i === 0 ? promptBoxes : []);
    for (;;) {
      const r = await it.next();
      if (r.done) {
        survivors.push(...r.value);
        break;
      }
      yield r.value;
    }
  }
  let final = survivors;
  if (cropBoxes.length > 1) {
    // SAM: NMS across crops preferring masks from smaller crops (score 1 / crop area)
    const keep = nonMaxSuppression(
      survivors.map((s) => s.box),
      survivors.map((s) => 1 / boxAreaXyxy(s.cropBox)),
      o.cropNmsThresh,
    );
    final = keep.map((k) => survivors[k]);
  }
  const records = toRecords(
    final.map((s) => s.candidate),
    {
      outputMode: o.outputMode,
      polygons: o.polygons,
      imageSize: { width: frame.width, height: frame.height },
      minMaskRegionArea: o.minMaskRegionArea,
      smallRegionNmsThresh: Math.max(o.boxNmsThresh, o.cropNmsThresh),
      stabilityScoreOffset: o.stabilityScoreOffset,
    },
  );
  yield { kind: 'done', done: state.done, total, decoded: state.decoded, records };
}

/**
 * The whole-image AMG stages on an embedding the caller already has, without upscaling: the
 * candidates that survive the filters and box NMS, best predicted IoU first (e.g. for proposals in
 * the annotation page). `promptBoxes` and `skipCovered` work as in generateMasks.
 */
export async function generateMaskCandidates(
  model: SamModel,
  embedded: EmbeddedFrame,
  opts: Omit<GenerateMasksOptions, 'embedded' | 'cropNLayers'> = {},
): Promise<MaskCandidate[]> {
  const o = resolveAmgOptions({ ...opts, cropNLayers: 0 });
  const f = embedded.frame;
  const promptBoxes = checkPromptBoxes(opts.promptBoxes, f);
  opts.signal?.throwIfAborted();
  const state: CropState = { done: 0, decoded: 0 };
  const it = processCrop(model, embedded, [0, 0, f.width, f.height], 0, f, o, 0, state, o.pointGrids[0].length, opts.signal, promptBoxes);
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value.map((s) => s.candidate);
  }
}
