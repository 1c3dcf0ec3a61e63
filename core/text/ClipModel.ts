import type { ClipImageSpec } from './clipPreprocessing';

/** Token ids of a batch of texts, padded to the longest (CLIP pads with its end-of-text token). */
export interface ClipTokens {
  /** int64[batch, length] */
  readonly inputIds: BigInt64Array;
  /** int64[batch, length]: 1 for real tokens, 0 for padding. */
  readonly attentionMask: BigInt64Array;
  readonly batch: number;
  readonly length: number;
}

/**
 * A loaded CLIP model (tokenizer + text tower + vision tower, ONNX). Embeddings are L2-normalised,
 * so a dot product is the cosine similarity. Load with `loadClipModel`, free with `release()`.
 */
export interface ClipModel {
  readonly folder: string;
  readonly imageSpec: ClipImageSpec;
  tokenize(texts: readonly string[]): Promise<ClipTokens>;
  /** One unit vector per text. */
  embedTexts(texts: readonly string[]): Promise<Float32Array[]>;
  /** One unit vector per image; each input is float32[3,S,S] from `maskedCropToClipInput`. Runs in batches. */
  embedImages(pixels: readonly Float32Array[]): Promise<Float32Array[]>;
  release(): Promise<void>;
  readonly released: boolean;
}
