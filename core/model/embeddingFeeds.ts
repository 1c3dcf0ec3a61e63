import * as ort from 'onnxruntime-node';
import type { ImageEmbedding } from '../types';

/** The embedding's tensors as decoder feeds (each is named after the decoder input it feeds). */
export function embeddingFeeds(embedding: ImageEmbedding): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(embedding.tensors)) feeds[name] = new ort.Tensor('float32', t.data, t.dims); // e.g. float32[1,256,64,64]
  return feeds;
}
