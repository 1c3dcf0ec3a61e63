import { loadSamModel, type SamModel } from '../../core';

/** What the sam-model config node passes to the loader (the options of `loadSamModel`). */
export interface ModelLoadOptions {
  readonly id?: string;
  readonly encoderPath?: string;
  readonly decoderPath?: string;
  readonly threads?: number;
  readonly enableCpuMemArena?: boolean;
  readonly decoderWorkers?: number;
}

export type ModelLoader = (opts: ModelLoadOptions) => Promise<SamModel>;

/**
 * The one place nodes get a SamModel from. `load` is `loadSamModel`; tests swap in a loader that
 * returns a fake SamModel (SamModel is an interface for exactly this) and restore it afterwards.
 */
export const modelLoader: { load: ModelLoader } = {
  load: (opts) => loadSamModel(opts),
};
