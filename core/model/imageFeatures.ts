import type { EmbeddingTensor, ImageEmbedding } from '../types';

/** The embedding's image-features tensor (float32[1,256,64,64] in both families), e.g. for feature similarity. */
export function imageFeatures(embedding: ImageEmbedding): EmbeddingTensor {
  const t = embedding.tensors[embedding.features];
  if (!t) throw new RangeError(`embedding has no tensor "${embedding.features}" (has ${Object.keys(embedding.tensors).join(', ')})`);
  return t;
}
