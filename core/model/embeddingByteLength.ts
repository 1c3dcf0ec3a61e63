import type { ImageEmbedding } from '../types';

/** Bytes held by an embedding's tensors (one SAM 1 embedding: 4 MiB; SAM 2: 4 + 8 + 4 MiB). */
export function embeddingByteLength(embedding: ImageEmbedding): number {
  let n = 0;
  for (const t of Object.values(embedding.tensors)) n += t.data.byteLength;
  return n;
}
