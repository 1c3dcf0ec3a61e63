import { SamflowError } from '../errors';
import type { GroundTruthMask } from './GroundTruthMask';
import { interactiveIou } from './interactiveIou';
import { nextClick, type ProtocolClick } from './nextClick';

/** What a predictor returns after each click. */
export interface ClickPrediction {
  /** uint8[height*width] at the ground truth's size, non-zero = inside. */
  readonly mask: Uint8Array;
  /** float32[256*256] low-res logits of this prediction (fed back as the next mask prompt). */
  readonly lowResLogits: Float32Array;
  /** The model's own quality estimate, when it has one. */
  readonly predictedIou?: number;
}

/**
 * One interactive step: all clicks so far (the last one is new) and the previous prediction
 * (undefined at the first click). The predictor decides how to prompt the model (see strategies).
 */
export type ClickPredictor = (clicks: readonly ProtocolClick[], previous: ClickPrediction | undefined) => Promise<ClickPrediction>;

export interface ClickSessionOptions {
  /** Clicks at most (the NoC cap). Default 20. */
  readonly maxClicks?: number;
  /** Stop once the IoU reaches this (NoC needs nothing after the first hit). Default: never stop early. */
  readonly stopAtIou?: number;
}

export interface ClickSessionResult {
  /** IoU with the ground truth after click 1, 2, ... (ignored pixels left out). */
  readonly ious: number[];
  readonly clicks: ProtocolClick[];
  /** Wall time of each predictor call in ms. */
  readonly predictMs: number[];
  /** Why the session ended. */
  readonly stoppedBy: 'maxClicks' | 'stopAtIou' | 'noError';
}

/**
 * Runs the standard click protocol on one object: place a click (nextClick), predict, measure
 * IoU, repeat. The predictor is injected so the protocol is testable without a model.
 */
export async function runClickSession(gt: GroundTruthMask, predict: ClickPredictor, opts: ClickSessionOptions = {}): Promise<ClickSessionResult> {
  const maxClicks = opts.maxClicks ?? 20;
  if (!(Number.isInteger(maxClicks) && maxClicks >= 1)) {
    throw new SamflowError('BAD_OPTION', `runClickSession: maxClicks must be an integer >= 1, got ${maxClicks}`);
  }
  const clicked = new Uint8Array(gt.width * gt.height); // uint8[height,width]
  const clicks: ProtocolClick[] = [];
  const ious: number[] = [];
  const predictMs: number[] = [];
  let previous: ClickPrediction | undefined;
  while (clicks.length < maxClicks) {
    const click = nextClick(gt, previous?.mask, clicked);
    if (!click) return { ious, clicks, predictMs, stoppedBy: 'noError' };
    clicks.push(click);
    clicked[click.y * gt.width + click.x] = 1;
    const t0 = performance.now();
    previous = await predict(clicks, previous);
    predictMs.push(performance.now() - t0);
    const iou = interactiveIou(previous.mask, gt);
    ious.push(iou);
    if (opts.stopAtIou !== undefined && iou >= opts.stopAtIou) return { ious, clicks, predictMs, stoppedBy: 'stopAtIou' };
  }
  return { ious, clicks, predictMs, stoppedBy: 'maxClicks' };
}
