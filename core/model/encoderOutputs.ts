import type * as ort from 'onnxruntime-node';
import type { EmbeddingTensor, ImageEmbedding } from '../types';
import { familyOf } from './family/familyOf';
import type { ModelSpec } from './SamModel';

/** The encoder outputs a run asks for (the family's embedding slots; `spec.encoder` resolved by the signature check). */
export function encoderOutputNames(spec: ModelSpec): readonly string[] {
  return familyOf(spec.family, spec.id)
    .embeddingSlots(spec)
    .map((s) => s.output);
}

/** An encoder run's outputs as the embedding: each tensor named after the decoder input it feeds. */
export function embeddingOfOutputs(spec: ModelSpec, out: ort.InferenceSession.ReturnType): ImageEmbedding {
  const slots = familyOf(spec.family, spec.id).embeddingSlots(spec);
  const tensors: Record<string, EmbeddingTensor> = {};
  for (const s of slots) {
    const t = out[s.output];
    if (!t || !(t.data instanceof Float32Array)) throw new RangeError(`encoder output "${s.output}" is missing or not float32`);
    tensors[s.name] = { data: t.data, dims: t.dims }; // e.g. float32[1,256,64,64]
  }
  return { tensors, features: slots[0].name };
}
