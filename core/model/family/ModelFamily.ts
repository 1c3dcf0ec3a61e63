import type * as ort from 'onnxruntime-node';
import type { ResizeRule } from '../../geometry/SamTransform';
import type { DecoderFeeds } from '../../types';
import type { ModelFamilyName, ModelSpec } from '../SamModel';

/** One tensor of a family's image embedding: which encoder output it is and which decoder input it feeds. */
export interface EmbeddingSlot {
  /** The encoder output's name ('*' = the encoder's only output, sam1 only). */
  readonly output: string;
  /** The embedding tensor's name: the decoder input it feeds. */
  readonly name: string;
  /** float32 dims (symbolic dims of a session match any size). */
  readonly dims: readonly number[];
}

/**
 * What differs between model families (see docs/architecture.md "Model families"): how the image is
 * resized, which encoder outputs make the embedding, how a prompt's feeds are named, and how the
 * decoder's signature is checked. Everything else (sessions, workers, caches, masks) is shared.
 * Outputs are read the same way for every family: `iou` float32[1,M] and `lowResMasks`
 * float32[1,M,256,256] named by the manifest.
 */
export interface ModelFamily {
  readonly name: ModelFamilyName;
  /** How preprocessImage resizes the image into the encoder's square input. */
  readonly resize: ResizeRule;
  /** The embedding's tensors; the first holds the image features (ImageEmbedding.features). */
  embeddingSlots(spec: ModelSpec): readonly EmbeddingSlot[];
  /** One prompt's decoder inputs other than the embedding, by name (the decoder takes those it has). */
  promptFeeds(spec: ModelSpec, feeds: DecoderFeeds): Record<string, ort.Tensor>;
  /** The decoder session's inputs and outputs against the spec; else SamflowError('MODEL_SIGNATURE') naming file, tensor and what was expected. */
  checkDecoder(spec: ModelSpec, session: ort.InferenceSession, file: string): void;
  /** SAM 1's decoder graph surgery applies (splitSamDecoder, exposeDecoderMasks). */
  readonly graphSurgery: boolean;
}
