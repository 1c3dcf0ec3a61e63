import type { OperatorFunction } from 'rxjs';
import type { CocoDetector, DetectOptions } from '../detect/Detection';
import { segmentInstances, type Instance, type SegmentInstancesOptions } from '../detect/segmentInstances';
import type { SamModel } from '../model/SamModel';
import type { DetectionBoxInput } from '../prompts/boxesToPrompts';
import { withBackpressure, type BackpressureOptions } from '../stream/withBackpressure';
import type { EmbeddedFrame, Frame } from '../types';

/** Any detector: samflow's CocoDetector, or a function returning boxes for a frame. */
export type InstanceDetector = CocoDetector | ((frame: Frame) => Promise<readonly DetectionBoxInput[]> | readonly DetectionBoxInput[]);

export interface InstanceMasksOptions extends SegmentInstancesOptions, Omit<BackpressureOptions<EmbeddedFrame>, 'idOf' | 'stage'> {
  /** Passed to CocoDetector.detect (minScore, classes, maxDetections, iouThresh). */
  readonly detect?: DetectOptions;
}

/** The instances found on one frame. */
export interface FrameInstances {
  readonly frame: Frame;
  readonly instances: Instance[];
}

/**
 * Instance segmentation as one operator: a detector proposes boxes on each frame, each box becomes
 * a SAM box prompt, and its best mask becomes an instance carrying the detector's class and score.
 *
 * Like a spotter pointing out animals and an illustrator tracing exactly each one pointed at.
 *
 * ```
 * embedded: --a-------------------b--|
 * output:   ------{a, [cat, cat]}-------{b, []}|
 * ```
 *
 * ## Example
 * ```ts
 * import { operators, loadCocoDetector, loadSamModel, fromImageFiles } from 'samflow';
 * const [model, detector] = await Promise.all([loadSamModel(), loadCocoDetector()]);
 * fromImageFiles('cats')
 *   .pipe(operators.encodeImage(model), operators.instanceMasks(model, detector, { detect: { classes: ['cat'] } }))
 *   .subscribe(({ frame, instances }) => console.log(frame.id, instances.map((i) => i.record.class)));
 * ```
 *
 * @param model The model that made the embeddings.
 * @param detector A CocoDetector (`loadCocoDetector()`) or any `(frame) => boxes` function.
 * @param options `detect` options, segmentInstances options (`classes`, `minScore`, `expandRatio`,
 *   `pointHints`, `refineSteps`, `boxJitter`, ...), backpressure `policy`, `stats`, `onError`, `errors`.
 * @returns An operator from EmbeddedFrame to FrameInstances.
 *
 * Backpressure, errors and teardown: one frame at a time (detector ~0.3 s + ~55 ms per box);
 * waiting frames follow `policy`. A failing detector or decoder errors the stream or skips the
 * frame (`onError: 'skip'`). Unsubscribing discards the frame in flight; detector and model stay
 * usable and are never released by the operator.
 */
export function instanceMasks(model: SamModel, detector: InstanceDetector, options: InstanceMasksOptions = {}): OperatorFunction<EmbeddedFrame, FrameInstances> {
  const { policy, stats, onError, errors, now, detect, ...segOpts } = options;
  const find = (frame: Frame): Promise<readonly DetectionBoxInput[]> | readonly DetectionBoxInput[] =>
    typeof detector === 'function' ? detector(frame) : detector.detect(frame, detect);
  return withBackpressure(
    async (embedded: EmbeddedFrame): Promise<FrameInstances> => {
      const detections = await find(embedded.frame);
      return { frame: embedded.frame, instances: await segmentInstances(model, embedded, detections, segOpts) };
    },
    { policy, stats, onError, errors, now, stage: 'instanceMasks', idOf: (e) => e.frame.id },
  );
}
