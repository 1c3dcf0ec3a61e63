import type * as ort from 'onnxruntime-node';
import type { DecoderFeeds, ImageEmbedding } from '../types';
import type { SharableArray } from '../worker/workerProtocol';
import type { ModelSource, SamSessionOptions } from './samSessions';
import type { DecoderOutput, ModelSpec } from './SamModel';

/**
 * What crosses between HostedSamModel and its worker modules (samEncoderWorker, samDecoderWorker,
 * samPromptWorker). For the workers, embeddings and image-stage tensors live in SharedArrayBuffers: posting them
 * shares the memory, so a prompt never copies them; outputs come back as transferred ArrayBuffers.
 */

/** A tensor in a SharedArrayBuffer. */
export interface SharedTensor {
  readonly name: string;
  readonly type: ort.Tensor.Type;
  readonly dims: readonly number[];
  /** A view over a SharedArrayBuffer. */
  readonly data: SharableArray;
}

/** An embedding as the decoder worker gets it: its id (the worker's cache key) and its shared tensors. */
export interface SharedEmbedding {
  readonly id: number;
  /** Every tensor's data a view over a SharedArrayBuffer. */
  readonly embedding: ImageEmbedding;
}

export interface EncoderWorkerInit {
  readonly file: string;
  readonly spec: ModelSpec;
  readonly options: SamSessionOptions;
}
export interface EncoderWorkerReady {
  readonly io: ModelSpec['encoder'];
}
export type EncoderWorkerApi = {
  /**
   * in: float32[1,3,S,S] → out: the embedding's tensors, twice: `embedding` in plain (moved)
   * ArrayBuffers for the caller (onnxruntime takes no SharedArrayBuffer views), `shared` in
   * SharedArrayBuffers for the decoder workers.
   */
  encode: { args: { readonly input: Float32Array }; result: { readonly embedding: ImageEmbedding; readonly shared: ImageEmbedding } };
};

export interface DecoderWorkerInit {
  /** The decoder file, or its bytes after a graph transform. */
  readonly model: ModelSource;
  /** Names the decoder in errors. */
  readonly file: string;
  readonly spec: ModelSpec;
  readonly options: SamSessionOptions;
  readonly split: boolean;
  /** Send back the prompt stage's model bytes (for prompt workers). */
  readonly wantPromptStage: boolean;
  /** Rewrite a single-mask export to SAM's 4 masks when the manifest says multimask (see openDecoder). */
  readonly multimask: boolean;
}
export interface DecoderWorkerReady {
  readonly split: boolean;
  /** Whether the opened decoder returns SAM's multiple masks. */
  readonly multimask: boolean;
  /** The prompt stage's ONNX bytes, when asked for and split; undefined else. */
  readonly promptStage?: Uint8Array;
}
export type DecoderWorkerApi = {
  /** One prompt on the decoder (split or whole). */
  run: { args: { readonly embedding: SharedEmbedding; readonly feeds: DecoderFeeds }; result: DecoderOutput };
  /** The image stage's tensors for an embedding, for prompt workers. */
  imageStage: { args: { readonly embedding: SharedEmbedding }; result: { readonly cut: readonly SharedTensor[] } };
};

export interface PromptWorkerInit {
  readonly model: Uint8Array;
  readonly spec: ModelSpec;
  readonly options: SamSessionOptions;
}
export type PromptWorkerApi = {
  /** One prompt on the prompt stage, given its embedding's image-stage tensors (`cutId` keys the worker's copy). */
  run: { args: { readonly cutId: number; readonly cut: readonly SharedTensor[]; readonly feeds: DecoderFeeds }; result: DecoderOutput };
};
