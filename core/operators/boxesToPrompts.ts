import type { OperatorFunction } from 'rxjs';
import { boxesToPrompts as boxesToPromptsFn, type BoxesToPromptsOptions, type DetectionBoxInput } from '../prompts/boxesToPrompts';
import type { ErrorPolicyOptions } from '../stream/SkippedItem';
import type { EmbeddedFrame } from '../types';
import { mapSync } from './mapSync';
import type { PromptBatch } from './PromptBatch';

/** An embedded frame with a detector's boxes for it. */
export interface DetectionsOnFrame {
  readonly embedded: EmbeddedFrame;
  readonly detections: readonly DetectionBoxInput[];
}

export interface BoxesToPromptsOperatorOptions extends Omit<BoxesToPromptsOptions, 'image'>, ErrorPolicyOptions {}

/**
 * Turns a detector's boxes on each frame (coco-ssd `{bbox, class, score}`, `{box}` XYXY, or plain
 * arrays) into SAM box prompts carrying the class and score as `meta`.
 *
 * Like handing the sketch artist the security guard's rough rectangles.
 *
 * ```
 * detections: --{embedded: a, detections: [cat .8, dog .1]}--|
 * output:     --{embedded: a, prompts: [box(cat)]}-----------|    (classes: ['cat'])
 * ```
 *
 * ## Example
 * ```ts
 * import { operators } from 'samflow';
 * detected$.pipe(operators.boxesToPrompts({ classes: ['cat'], expandRatio: 0.05 }), operators.decodeMasks(model, { bestOnly: true }));
 * ```
 *
 * @param options Filters (`classes`, `minScore`, `maxInstances`), box padding (`expand`,
 *   `expandRatio`, clipped to the frame), `pointHints`, `multimask`, `onError`, `errors`.
 * @returns An operator from DetectionsOnFrame to PromptBatch.
 *
 * Backpressure, errors and teardown: synchronous, stateless. A malformed box throws SamflowError
 * BAD_PROMPT naming its index (or is skipped with the frame id under `onError: 'skip'`).
 */
export function boxesToPrompts(options: BoxesToPromptsOperatorOptions = {}): OperatorFunction<DetectionsOnFrame, PromptBatch> {
  const { onError, errors, ...opts } = options;
  return mapSync(
    'boxesToPrompts',
    (d: DetectionsOnFrame): PromptBatch => ({ embedded: d.embedded, prompts: boxesToPromptsFn(d.detections, { ...opts, image: d.embedded.frame }) }),
    { onError, errors },
  );
}
