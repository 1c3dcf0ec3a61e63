import { logitsToMask } from '../masks/lowResToMask';
import { decodeMasks } from '../model/decodeMasks';
import type { SamModel } from '../model/SamModel';
import type { EmbeddedFrame, MaskCandidate, SamPrompt } from '../types';
import type { ClickPrediction, ClickPredictor } from './runClickSession';

/**
 * How the clicks become SAM prompts.
 * - `plain`: the standard protocol — all clicks so far plus the previous low-res logits as the mask prompt.
 * - `improved`: see `samClickPredictor` for what it changes and why.
 */
export type ClickStrategy = 'plain' | 'improved';
export const CLICK_STRATEGIES: readonly ClickStrategy[] = ['plain', 'improved'];

function toPrediction(c: MaskCandidate): ClickPrediction {
  return { mask: logitsToMask(c.lowResLogits, c.transform).data, lowResLogits: c.lowResLogits, predictedIou: c.predictedIou };
}

/**
 * A ClickPredictor over a SAM model and one embedded image.
 * `plain`: prompt = every click + the previous prediction's low-res logits (none at click 1); for a
 * multi-mask decoder the first click takes SAM's 3 masks and keeps the one with the highest
 * predicted IoU.
 * `improved`: decodes the clicks both with and without the previous logits as mask prompt and
 * keeps the candidate the model itself rates higher (predicted IoU); never looks at the ground truth.
 */
export function samClickPredictor(model: SamModel, embedded: EmbeddedFrame, strategy: ClickStrategy = 'plain'): ClickPredictor {
  return async (clicks, previous) => {
    const points = clicks.map((c) => ({ x: c.x, y: c.y, label: c.label }));
    const withMask: SamPrompt = previous ? { points, maskInput: previous.lowResLogits } : { points };
    const best = (await decodeMasks(model, embedded, withMask))[0]!;
    if (strategy === 'plain' || !previous) return toPrediction(best);
    const without = (await decodeMasks(model, embedded, { points }))[0]!;
    return toPrediction(without.predictedIou > best.predictedIou ? without : best);
  };
}
