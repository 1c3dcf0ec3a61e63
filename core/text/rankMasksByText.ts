import { SamflowError } from '../errors';
import type { BinaryMask, Frame } from '../types';
import type { ClipModel } from './ClipModel';
import { maskedCropToClipInput, type MaskedCropOptions } from './maskedCrop';

export interface RankMasksByTextOptions extends MaskedCropOptions {
  /** Keep at most this many masks (best first). Default: all. */
  readonly topK?: number;
  /** Keep masks whose cosine similarity with the text is at least this (CLIP cosines are small: ~0.2–0.35 for a match). */
  readonly minSimilarity?: number;
}

/** A candidate mask with its CLIP similarity to the text. */
export interface RankedMask<T> {
  readonly item: T;
  /** Index of the item in the input array. */
  readonly index: number;
  /** Cosine similarity between the text and the masked crop, in [-1, 1]. */
  readonly similarity: number;
}

/** Dot product of two equal-length vectors (the cosine for unit vectors). */
export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length)
    throw new SamflowError('MODEL_SIGNATURE', `CLIP: text and image embeddings differ in size (${a.length} vs ${b.length}); the towers are from different models`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Text → mask: ranks candidate masks (automatic masks, detector instances) by the CLIP cosine
 * similarity between `text` and each mask's masked crop (see `maskedCropToClipInput`), best first,
 * then applies `minSimilarity` and `topK`. Empty masks are left out. `maskOf` picks each item's mask.
 */
export async function rankMasksByText<T>(
  clip: ClipModel,
  frame: Frame,
  items: readonly T[],
  maskOf: (item: T) => BinaryMask,
  text: string,
  opts: RankMasksByTextOptions = {},
): Promise<RankedMask<T>[]> {
  if (opts.topK !== undefined && !(Number.isInteger(opts.topK) && opts.topK >= 1)) {
    throw new SamflowError('BAD_OPTION', `rankMasksByText: topK must be a whole number >= 1, got ${String(opts.topK)}`);
  }
  if (opts.minSimilarity !== undefined && !(Number.isFinite(opts.minSimilarity) && opts.minSimilarity >= -1 && opts.minSimilarity <= 1)) {
    throw new SamflowError('BAD_OPTION', `rankMasksByText: minSimilarity must be a cosine in [-1, 1], got ${String(opts.minSimilarity)}`);
  }
  const [textEmbedding] = await clip.embedTexts([text]);
  const crops: Float32Array[] = [];
  const indices: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const crop = await maskedCropToClipInput(frame, maskOf(items[i]), clip.imageSpec, opts);
    if (crop) {
      crops.push(crop);
      indices.push(i);
    }
  }
  const embeddings = crops.length ? await clip.embedImages(crops) : [];
  const ranked = embeddings
    .map((e, k): RankedMask<T> => ({ item: items[indices[k]], index: indices[k], similarity: dot(textEmbedding, e) }))
    .filter((r) => opts.minSimilarity === undefined || r.similarity >= opts.minSimilarity)
    .sort((a, b) => b.similarity - a.similarity || a.index - b.index);
  return opts.topK !== undefined ? ranked.slice(0, opts.topK) : ranked;
}
