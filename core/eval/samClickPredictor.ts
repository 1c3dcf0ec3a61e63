import { logitsToMask } from '../masks/lowResToMask';
import { decodeMasks } from '../model/decodeMasks';
import type { SamModel } from '../model/SamModel';
import type { BoxXyxy, EmbeddedFrame, MaskCandidate, PointPrompt, SamPrompt } from '../types';
import type { ClickPrediction, ClickPredictor } from './runClickSession';

/**
 * How the clicks become SAM prompts.
 * - `plain`: the standard protocol — all clicks so far plus the previous low-res logits as the mask prompt.
 * - `improved`: plain, then a cascaded refinement, keeping whichever the model rates highest (see samClickPredictor).
 */
export type ClickStrategy = 'plain' | 'improved';
export const CLICK_STRATEGIES: readonly ClickStrategy[] = ['plain', 'improved'];

function toPrediction(c: MaskCandidate): ClickPrediction {
  return { mask: logitsToMask(c.lowResLogits, c.transform).data, lowResLogits: c.lowResLogits, predictedIou: c.predictedIou };
}

/** Tight XYXY box (inclusive pixel coordinates) of a uint8[height*width] mask, or undefined when empty. */
export function maskBoxXyxy(mask: Uint8Array, width: number, height: number): BoxXyxy | undefined {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (!mask[row + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? undefined : [x0, y0, x1, y1];
}

async function best(model: SamModel, embedded: EmbeddedFrame, prompt: SamPrompt): Promise<MaskCandidate> {
  return (await decodeMasks(model, embedded, prompt))[0]!;
}

/**
 * A ClickPredictor over a SAM model and one embedded image.
 *
 * `plain`: prompt = every click + the previous prediction's low-res logits (none at click 1); for a
 * multi-mask decoder the first click takes SAM's 3 masks and keeps the one with the highest
 * predicted IoU (decodeMasks orders them).
 *
 * `improved` (a cascaded post-refinement, as PerSAM does it, made safe by the model's own score):
 * p1 = the plain prediction; p2 = the same clicks with p1's logits as the mask prompt; p3 = the
 * clicks + the tight box of p2's mask + p2's logits. Keeps the candidate with the highest predicted
 * IoU. 3 decoder runs per click; it never looks at the ground truth. Chosen on DAVIS frames (not on
 * GrabCut, where it is reported): refining unconditionally (always p3) hurt on thin or
 * multi-part objects, choosing by predicted IoU never did there.
 */
export function samClickPredictor(model: SamModel, embedded: EmbeddedFrame, strategy: ClickStrategy = 'plain'): ClickPredictor {
  return async (clicks, previous) => {
    const points: PointPrompt[] = clicks.map((c) => ({ x: c.x, y: c.y, label: c.label }));
    const p1 = await best(model, embedded, previous ? { points, maskInput: previous.lowResLogits } : { points });
    if (strategy === 'plain') return toPrediction(p1);
    const p2 = await best(model, embedded, { points, maskInput: p1.lowResLogits });
    const candidates = [p1, p2];
    const m2 = toPrediction(p2);
    const box = maskBoxXyxy(m2.mask, embedded.frame.width, embedded.frame.height);
    // a one-pixel-thin mask gives no usable box (SAM needs x1 > x0, y1 > y0)
    if (box && box[2] > box[0] && box[3] > box[1]) candidates.push(await best(model, embedded, { points, box, maskInput: p2.lowResLogits }));
    candidates.sort((a, b) => b.predictedIou - a.predictedIou);
    const chosen = candidates[0]!;
    return chosen === p2 ? m2 : toPrediction(chosen);
  };
}
