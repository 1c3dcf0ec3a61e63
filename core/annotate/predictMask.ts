import { SamflowError } from '../errors';
import { decodeMasks } from '../model';
import type { SamModel } from '../model/SamModel';
import type { EmbeddedFrame, SamPrompt } from '../types';
import type { PredictRequest } from './AnnotateRequests';
import type { MaskResponse } from './MaskResponse';
import type { MaskStore } from './MaskStore';
import { roundTo } from './roundTo';

/**
 * One click (or box) of the page → SAM's masks for it: the decoder runs on the cached embedding with
 * the previous mask's logits as mask_input; every candidate is kept in `masks` (best first, the
 * others as `alternatives`) so the page can cycle, refine or accept any of them.
 */
export async function predictMask(model: SamModel, embedded: EmbeddedFrame, request: PredictRequest, masks: MaskStore): Promise<MaskResponse> {
  const { file, points, box } = request;
  const maskInput = request.prev !== undefined ? masks.get(request.prev, file).candidate.lowResLogits : undefined;
  const t0 = performance.now();
  const prompt: SamPrompt = { points, ...(box ? { box } : {}), ...(maskInput ? { maskInput } : {}) };
  const candidates = await decodeMasks(model, embedded, prompt);
  const t1 = performance.now();
  const [best, ...others] = candidates;
  if (!best) throw new SamflowError('MODEL_SIGNATURE', 'model: the decoder returned no mask');
  const res = masks.put({ file, candidate: best, source: 'manual' });
  const alternatives = others.map((c) => masks.put({ file, candidate: c, source: 'manual' }));
  return { ...res, ...(alternatives.length ? { alternatives } : {}), serverMs: roundTo(performance.now() - t0, 2), decoderMs: roundTo(t1 - t0, 2) };
}
