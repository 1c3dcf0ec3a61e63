import { SamflowError } from '../errors';
import { describeValue } from '../limits';
import { encodePrompts } from '../prompts/encodePrompts';
import { LOW_RES_SIZE, type EmbeddedFrame, type ImageEmbedding, type MaskCandidate, type SamPrompt } from '../types';
import type { SamModel } from './SamModel';

export interface DecodeMasksOptions {
  /**
   * For decoders that return several masks: true → the 3 multimask outputs, false → the single
   * output. Default: SAM's rule — multimask for one click without a box or mask prompt.
   */
  readonly multimask?: boolean;
  /** Points in one prompt; more is refused before anything is allocated. Default 64 (see core/limits.ts). */
  readonly maxPointsPerPrompt?: number;
}

/** decodeMasks' arguments, checked before any work: BAD_OPTION naming the argument. */
function checkArgs(model: unknown, embedded: unknown): asserts embedded is EmbeddedFrame {
  const m = model as Partial<SamModel> | null;
  if (typeof m !== 'object' || m === null || typeof m.runDecoder !== 'function') {
    throw new SamflowError('BAD_OPTION', `decodeMasks: model must be a loaded SamModel (from loadSamModel), got ${describeValue(model)}`, 'model');
  }
  const e = embedded as Partial<EmbeddedFrame> | null;
  const tensors = (e?.embedding as Partial<ImageEmbedding> | undefined)?.tensors;
  if (
    typeof e !== 'object' ||
    e === null ||
    typeof tensors !== 'object' ||
    tensors === null ||
    typeof e.transform !== 'object' ||
    typeof e.frame !== 'object' ||
    e.frame === null
  ) {
    throw new SamflowError(
      'BAD_OPTION',
      `decodeMasks: embedded must be what encodeImage() returned ({frame, embedding: {tensors, features}, transform, modelId}), got ${describeValue(embedded)}`,
      'embedded',
    );
  }
}

/** SAM's rule: a lone click is ambiguous (part, object, whole), so ask for several masks. */
export function wantsMultimask(prompt: SamPrompt): boolean {
  return (prompt.points?.length ?? 0) === 1 && !prompt.box && !prompt.maskInput;
}

/**
 * Which decoder masks a prompt gets. 1 mask: it. 4 masks (SAM's single-mask token first, then its
 * 3 multimask outputs): the 3 with `multimask`, else the first. 3 masks (SAM 2 exports that return
 * only the multimask outputs): all 3 with `multimask`, else the one with the best predicted IoU.
 */
export function maskIndices(numMasks: number, multimask: boolean, iouPredictions: Float32Array): number[] {
  if (numMasks <= 1) return [0];
  if (numMasks === 3) {
    if (multimask) return [0, 1, 2];
    let best = 0;
    for (let i = 1; i < 3; i++) if (iouPredictions[i] > iouPredictions[best]) best = i;
    return [best];
  }
  return multimask ? Array.from({ length: numMasks - 1 }, (_, i) => i + 1) : [0];
}

/**
 * The light stage, many times per image: encode one prompt and run the mask decoder.
 * Returns candidates (low-res logits + predicted IoU), best first. Single-mask decoders give one.
 */
export async function decodeMasks(model: SamModel, embedded: EmbeddedFrame, prompt: SamPrompt, options: DecodeMasksOptions = {}): Promise<MaskCandidate[]> {
  checkArgs(model, embedded);
  if (embedded.modelId !== model.id) {
    throw new SamflowError(
      'BAD_OPTION',
      `the embedding of frame ${embedded.frame.id} was made by model "${embedded.modelId}", not "${model.id}"; encode the image with the same model`,
    );
  }
  const feeds = encodePrompts(prompt, embedded.transform, { maxPointsPerPrompt: options.maxPointsPerPrompt });
  const out = await model.runDecoder(embedded.embedding, feeds);
  const plane = LOW_RES_SIZE * LOW_RES_SIZE;
  const multimask = options.multimask ?? prompt.multimask ?? wantsMultimask(prompt);
  const indices = maskIndices(out.numMasks, multimask, out.iouPredictions);
  const candidates = indices.map((i): MaskCandidate => ({
    // float32[256*256] view into the decoder output
    lowResLogits: out.lowResMasks.subarray(i * plane, (i + 1) * plane),
    predictedIou: out.iouPredictions[i],
    prompt,
    transform: embedded.transform,
    maskIndex: i,
    frameId: embedded.frame.id,
  }));
  return candidates.sort((a, b) => b.predictedIou - a.predictedIou);
}
