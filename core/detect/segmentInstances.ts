import { SamflowError } from '../errors';
import { candidateToMask } from '../masks/lowResToMask';
import { maskRecordFields } from '../records/maskRecordFields';
import { decodeMasks } from '../model/decodeMasks';
import type { SamModel } from '../model/SamModel';
import { boxesToPrompts, detectionBoxXyxy, type BoxesToPromptsOptions, type DetectionBoxInput } from '../prompts/boxesToPrompts';
import type { BinaryMask, BoxXywh, BoxXyxy, CompressedRle, EmbeddedFrame, MaskCandidate, SamPrompt } from '../types';

/** One object instance: the detector's class, score and box, and SAM's mask for it (COCO-style fields). */
export interface InstanceRecord {
  readonly class?: string;
  readonly score?: number;
  /** The detector's box [x, y, w, h] (before any expansion). */
  readonly box: BoxXywh;
  readonly segmentation: CompressedRle;
  readonly area: number;
  /** The mask's own box [x, y, w, h] (SA-1B convention). */
  readonly bbox: BoxXywh;
  readonly predicted_iou: number;
}

/** An instance with the values behind its record, for sinks that need pixels (PNG, overlay). */
export interface Instance {
  readonly record: InstanceRecord;
  readonly mask: BinaryMask;
  readonly candidate: MaskCandidate;
}

export interface SegmentInstancesOptions extends BoxesToPromptsOptions {
  /** Logit threshold for the binary mask. Default 0 (SAM's). */
  readonly maskThreshold?: number;
  /**
   * Extra decoder passes feeding the previous low-res logits back as mask_input together with the
   * box (SAM's iterative refinement). Default 0.
   */
  readonly refineSteps?: number;
  /**
   * Test-time box augmentation: also decode 4 jittered copies of each box (grown by this fraction
   * of its size on every side; shrunk on all sides; shrunk left/right only; shrunk top/bottom only),
   * clipped to the image, and average the 5 logit maps. 0 (default) = off; 0.05 is what the coco-cats
   * bench measured (mean IoU 0.805 → 0.834 on 3 cats, 5× the decoder time).
   */
  readonly boxJitter?: number;
}

/** The box plus 4 jittered copies (see SegmentInstancesOptions.boxJitter), clipped to the image. */
export function jitterBoxes(box: BoxXyxy, jitter: number, width: number, height: number): BoxXyxy[] {
  const [x0, y0, x1, y1] = box;
  const dx = jitter * (x1 - x0);
  const dy = jitter * (y1 - y0);
  const moves: readonly (readonly [number, number, number, number])[] = [
    [-1, -1, 1, 1],
    [1, 1, -1, -1],
    [1, 0, -1, 0],
    [0, 1, 0, -1],
  ];
  const clip = (v: number, max: number) => Math.min(max, Math.max(0, v));
  return [box, ...moves.map(([a, b, c, d]): BoxXyxy => [clip(x0 + a * dx, width), clip(y0 + b * dy, height), clip(x1 + c * dx, width), clip(y1 + d * dy, height)])];
}

async function decodeAveraged(model: SamModel, embedded: EmbeddedFrame, prompt: SamPrompt, jitter: number): Promise<MaskCandidate | undefined> {
  if (!(jitter > 0) || !prompt.box) return (await decodeMasks(model, embedded, prompt, { multimask: false }))[0];
  const boxes = jitterBoxes(prompt.box, jitter, embedded.frame.width, embedded.frame.height);
  let sum: Float32Array | undefined;
  let iou = 0;
  let first: MaskCandidate | undefined;
  for (const box of boxes) {
    const [c] = await decodeMasks(model, embedded, { ...prompt, box }, { multimask: false });
    if (!c) continue;
    first ??= c;
    iou += c.predictedIou;
    if (!sum)
      sum = new Float32Array(c.lowResLogits); // float32[256*256]
    else for (let i = 0; i < sum.length; i++) sum[i] += c.lowResLogits[i];
  }
  if (!sum || !first) return undefined;
  for (let i = 0; i < sum.length; i++) sum[i] /= boxes.length;
  return { ...first, prompt, lowResLogits: sum, predictedIou: iou / boxes.length };
}

/**
 * Instance segmentation from any detector: each kept detection's box becomes a SAM prompt
 * (see `boxesToPrompts`), is decoded against the image embedding, and its best mask becomes an
 * InstanceRecord carrying the detection's class and score. Order: detector score, best first.
 */
export async function segmentInstances(
  model: SamModel,
  embedded: EmbeddedFrame,
  detections: readonly DetectionBoxInput[],
  opts: SegmentInstancesOptions = {},
): Promise<Instance[]> {
  const prompts = boxesToPrompts(detections, { image: embedded.frame, ...opts });
  const steps = opts.refineSteps ?? 0;
  if (!(Number.isInteger(steps) && steps >= 0)) throw new SamflowError('BAD_OPTION', `segmentInstances: refineSteps must be a whole number >= 0, got ${String(opts.refineSteps)}`);
  const jitter = opts.boxJitter ?? 0;
  if (!(Number.isFinite(jitter) && jitter >= 0 && jitter < 0.5)) {
    throw new SamflowError('BAD_OPTION', `segmentInstances: boxJitter must be a fraction in [0, 0.5), e.g. 0.05; got ${String(opts.boxJitter)}`);
  }
  const out: Instance[] = [];
  for (const prompt of prompts) {
    let best = await decodeAveraged(model, embedded, prompt, opts.boxJitter ?? 0);
    for (let s = 0; s < steps && best; s++) {
      [best] = await decodeMasks(model, embedded, { ...prompt, maskInput: best.lowResLogits }, { multimask: false });
    }
    if (!best) continue;
    const mask = candidateToMask(best, opts.maskThreshold ?? 0);
    const index = typeof prompt.meta?.detectionIndex === 'number' ? prompt.meta.detectionIndex : 0;
    const [x0, y0, x1, y1] = detectionBoxXyxy(detections[index], index);
    const record: InstanceRecord = {
      ...(prompt.meta?.class !== undefined ? { class: prompt.meta.class } : {}),
      ...(prompt.meta?.score !== undefined ? { score: prompt.meta.score } : {}),
      box: [x0, y0, x1 - x0, y1 - y0],
      ...maskRecordFields(mask),
      predicted_iou: best.predictedIou,
    };
    out.push({ record, mask, candidate: best });
  }
  return out;
}
