import type * as ort from 'onnxruntime-node';
import type { DecoderFeeds, ImageEmbedding } from '../types';
import { embeddingFeeds } from './embeddingFeeds';
import { familyOf } from './family/familyOf';
import type { DecoderRunOutput } from './OrtSamDecoder';
import type { DecoderOutput, ModelSpec } from './SamModel';

/**
 * One prompt's decoder feeds as onnxruntime tensors, by input name: the embedding's tensors (absent
 * for a prompt stage, which reads the image stage's instead) and the family's prompt feeds. A
 * session takes the names it has (pickFeeds).
 */
export function decoderFeedTensors(spec: ModelSpec, embedding: ImageEmbedding | undefined, feeds: DecoderFeeds): Record<string, ort.Tensor> {
  return { ...(embedding ? embeddingFeeds(embedding) : {}), ...familyOf(spec.family, spec.id).promptFeeds(spec, feeds) };
}

/** The decoder run's outputs as a DecoderOutput (every family: `iou` float32[1,M], `lowResMasks` float32[1,M,256,256]). */
export function decoderOutputOf(spec: ModelSpec, out: DecoderRunOutput): DecoderOutput {
  const o = spec.decoder.outputs;
  const iou = out[o.iou]; // float32[1,numMasks]
  const low = out[o.lowResMasks]; // float32[1,numMasks,256,256]
  const numMasks = low.dims[1] ?? 1;
  return { iouPredictions: iou.data as Float32Array, lowResMasks: low.data as Float32Array, numMasks };
}
