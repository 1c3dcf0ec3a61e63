import type { ImageEmbedding } from '../types';

/** The same embedding with each tensor's data replaced by `fn(data)` (a copy, a shared copy, a local copy). */
export function mapEmbedding(embedding: ImageEmbedding, fn: (data: Float32Array) => Float32Array): ImageEmbedding {
  const tensors: Record<string, ImageEmbedding['tensors'][string]> = {};
  for (const [name, t] of Object.entries(embedding.tensors)) tensors[name] = { data: fn(t.data), dims: t.dims };
  return { tensors, features: embedding.features };
}
