import type { ImageEmbedding } from '../../core/types';

/** A SAM 1 embedding of one tensor `image_embeddings` (default float32[1,256,64,64]), for fakes and fixtures. */
export function sam1Embedding(data: Float32Array = new Float32Array(256 * 64 * 64), dims: readonly number[] = [1, 256, 64, 64]): ImageEmbedding {
  return { tensors: { image_embeddings: { data, dims } }, features: 'image_embeddings' };
}
