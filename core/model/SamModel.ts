import type { DecoderFeeds, ImageEmbedding } from '../types';

/** The model families samflow runs (see core/model/family/): SAM 1's ONNX layout and SAM 2's image predictor. */
export type ModelFamilyName = 'sam1' | 'sam2';

/** What a model manifest entry says about one SAM variant (see models/manifest.json). */
export interface ModelSpec {
  readonly id: string;
  readonly description: string;
  /** Which family adapter preprocesses, feeds and reads this model (manifest `family`; absent = 'sam1'). */
  readonly family: ModelFamilyName;
  /** Long side of the encoder input (1024 for every SAM variant). */
  readonly inputSize: number;
  /** Per-channel mean/std applied to 0–255 RGB. */
  readonly pixelMean: readonly [number, number, number];
  readonly pixelStd: readonly [number, number, number];
  readonly encoder: {
    readonly input: string;
    /** The output holding the image features ('*' = the only one; sam2: image_embed). */
    readonly output: string;
    /** float32 dims of that output, e.g. [1,256,64,64]. */
    readonly embeddingDims: readonly number[];
  };
  readonly decoder: {
    /** The decoder's input names: sam1 in the official SAM ONNX decoder's order, sam2 by name (see the family). */
    readonly inputs: readonly string[];
    readonly outputs: { readonly iou: string; readonly lowResMasks: string; readonly masks?: string };
    /**
     * true: the decoder returns 4 masks — SAM exported without --return-single-mask, or a single-mask
     * export whose 4 masks loadSamModel exposes (multimaskSamDecoder; false after load if that failed).
     * false in a manifest: keep a single-mask export's own pick.
     */
    readonly multimask: boolean;
  };
}

/** Raw decoder output for one prompt. */
export interface DecoderOutput {
  /** float32[numMasks] */
  readonly iouPredictions: Float32Array;
  /** float32[numMasks,256,256] */
  readonly lowResMasks: Float32Array;
  readonly numMasks: number;
}

/**
 * A loaded SAM model: the encoder and decoder sessions behind a small interface, so stages and
 * operators can be tested with injected fakes. Load with `loadSamModel`, release with `release()`.
 */
export interface SamModel {
  readonly id: string;
  readonly spec: ModelSpec;
  /** in: float32[1,3,S,S] preprocessed image (see the family) → out: the embedding's named tensors */
  runEncoder(input: Float32Array): Promise<ImageEmbedding>;
  /** in: the embedding and one prompt's feeds → out: iou predictions and low-res logits */
  runDecoder(embedding: ImageEmbedding, feeds: DecoderFeeds): Promise<DecoderOutput>;
  /**
   * How many runDecoder calls run in parallel when issued together (decoder worker threads);
   * absent or 1: one at a time. Callers with many prompts on one embedding (AMG) issue this many.
   */
  readonly decoderConcurrency?: number;
  /**
   * Counts work that will run the model soon (encodeImage while it preprocesses) as in flight, so a
   * release() issued meanwhile waits for it; call the returned function once that work has started
   * its run (or failed). Optional: models without it release at once.
   */
  retain?(): () => void;
  /** Frees both sessions; later runs throw SamflowError('MODEL_RELEASED'). Idempotent. */
  release(): Promise<void>;
  readonly released: boolean;
}
