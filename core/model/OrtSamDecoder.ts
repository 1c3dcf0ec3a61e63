import * as ort from 'onnxruntime-node';
import type { ImageEmbedding } from '../types';
import { pickFeeds } from './pickFeeds';
import { splitSamDecoder, type SamDecoderIo } from './splitSamDecoder';

/** The SAM 1 decoder's input names by role (the official SAM ONNX decoder's, or a manifest's), for its split. */
export interface SamDecoderInputNames {
  readonly imageEmbeddings: string;
  readonly pointCoords: string;
  readonly pointLabels: string;
  readonly maskInput: string;
  readonly hasMaskInput: string;
  readonly origImSize: string;
}

type Feeds = Record<string, ort.Tensor>;

/** A decoder output tensor. */
export interface DecoderTensor {
  readonly data: ort.Tensor.DataType;
  readonly dims: readonly number[];
}
export type DecoderRunOutput = Readonly<Record<string, DecoderTensor>>;

interface Stages {
  readonly image: ort.InferenceSession;
  readonly prompt: ort.InferenceSession;
  /** Feeds of a prompt without mask input (the image stage reads them). */
  readonly noMask: Feeds;
}

/** Largest |a - b| over the wanted outputs of two runs. */
function maxAbsDiff(a: DecoderRunOutput, b: DecoderRunOutput, outputs: readonly string[]): number {
  let d = 0;
  for (const o of outputs) {
    const x = a[o]?.data;
    const y = b[o]?.data;
    if (!(x instanceof Float32Array) || !(y instanceof Float32Array) || x.length !== y.length) return Infinity;
    for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  }
  return d;
}

/** SAM 1's decoder graph surgery: its input names, the embedding's dims (for the probe), whether to split. */
export interface DecoderSplitInputs {
  readonly names: SamDecoderInputNames;
  readonly embeddingDims: readonly number[];
  /** Split into image and prompt stages; false: only the outputs samflow reads are kept. */
  readonly split: boolean;
}

/**
 * The mask decoder on onnxruntime. A SAM 1 decoder is cut as splitSamDecoder cuts it: the image
 * stage runs once per embedding (kept while the embedding object is alive), the prompt stage once
 * per prompt; a prompt with a mask input (which changes the image stage) runs the whole decoder.
 * Without a usable split (or for other families) every run uses the whole decoder.
 */
export class OrtSamDecoder {
  private readonly imageCache = new WeakMap<ImageEmbedding, Promise<Feeds>>();
  private imageRuns = 0;

  private constructor(
    private readonly whole: ort.InferenceSession,
    private readonly stages: Stages | undefined,
    /** The prompt stage's ONNX bytes, for sessions elsewhere (decoder worker threads); with `stages`. */
    readonly promptStageModel?: Uint8Array,
  ) {}

  /** True when prompts without a mask input run only the prompt stage. */
  get isSplit(): boolean {
    return this.stages !== undefined;
  }

  /**
   * Builds the sessions from the decoder file's bytes. With `surgery` (SAM 1 only) the graph keeps
   * only the outputs read, and with `surgery.split` the image and prompt stages are checked on a
   * probe prompt against the whole decoder and dropped unless the outputs agree (1e-4). Without
   * `surgery` the bytes run as they are.
   */
  static async create(bytes: Uint8Array, outputs: readonly string[], options: ort.InferenceSession.SessionOptions, surgery?: DecoderSplitInputs): Promise<OrtSamDecoder> {
    if (!surgery) return new OrtSamDecoder(await ort.InferenceSession.create(bytes, options), undefined);
    const { names, embeddingDims } = surgery;
    const io: SamDecoderIo = {
      imageInputs: [names.imageEmbeddings, names.maskInput, names.hasMaskInput],
      promptInputs: [names.pointCoords, names.pointLabels, names.origImSize],
      outputs,
    };
    const plan = splitSamDecoder(bytes, io);
    const whole = await ort.InferenceSession.create(plan.whole, options);
    const wholeOnly = new OrtSamDecoder(whole, undefined);
    if (!surgery.split || !plan.split) return wholeOnly;
    const s = plan.split;
    const image = await ort.InferenceSession.create(s.imageStage, options);
    let prompt: ort.InferenceSession | undefined;
    try {
      const cutTypes = image.outputMetadata.map((m) => {
        if (!m.isTensor) throw new RangeError(`image stage output ${m.name} is not a tensor`);
        return { name: m.name, type: m.type, dims: m.shape };
      });
      const promptStage = s.promptStage(cutTypes);
      prompt = await ort.InferenceSession.create(promptStage, options);
      const noMask: Feeds = {
        [names.maskInput]: new ort.Tensor('float32', new Float32Array(256 * 256), [1, 1, 256, 256]), // float32[1,1,256,256]
        [names.hasMaskInput]: new ort.Tensor('float32', new Float32Array([0]), [1]), // float32[1]
      };
      const splitDecoder = new OrtSamDecoder(whole, { image, prompt, noMask }, promptStage);
      // probe: a deterministic embedding and one click in the middle of the model frame
      const size = embeddingDims.reduce((a, b) => a * b, 1);
      const data = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.7311) * 0.5);
      const embedding: ImageEmbedding = { tensors: { [names.imageEmbeddings]: { data, dims: embeddingDims } }, features: names.imageEmbeddings };
      const feeds: Feeds = {
        [names.imageEmbeddings]: new ort.Tensor('float32', data, embeddingDims), // float32[1,256,64,64]
        [names.pointCoords]: new ort.Tensor('float32', new Float32Array([512, 384, 0, 0]), [1, 2, 2]), // float32[1,2,2]
        [names.pointLabels]: new ort.Tensor('float32', new Float32Array([1, -1]), [1, 2]), // float32[1,2]
        [names.origImSize]: new ort.Tensor('float32', new Float32Array([768, 1024]), [2]), // float32[2]
        ...noMask,
      };
      const a = await wholeOnly.run(embedding, feeds, outputs, false);
      const b = await splitDecoder.run(embedding, feeds, outputs, false);
      if (maxAbsDiff(a, b, outputs) <= 1e-4) return splitDecoder;
    } catch {
      // a split onnxruntime cannot load or run: use the whole decoder
    }
    await image.release();
    await prompt?.release();
    return wholeOnly;
  }

  /** How many times the image stage ran (once per embedding object while it is alive). */
  get imageStageRuns(): number {
    return this.imageRuns;
  }

  /**
   * One decoder run; `embedding` is the embedding behind the feeds (the image stage's cache key),
   * `hasMask` whether the prompt carries a mask input (which runs the whole decoder).
   */
  async run(embedding: ImageEmbedding, feeds: Feeds, outputs: readonly string[], hasMask: boolean): Promise<DecoderRunOutput> {
    if (!this.stages || hasMask) return this.whole.run(pickFeeds(this.whole, feeds, 'decoder'), outputs);
    const cutFeeds = await this.imageStage(embedding, feeds);
    return this.stages.prompt.run(pickFeeds(this.stages.prompt, { ...feeds, ...cutFeeds }, 'decoder prompt stage'), outputs);
  }

  /**
   * The image stage's outputs for `embedding` (the prompt stage's other inputs), run once per
   * embedding object while it is alive. `feeds` holds the embedding's tensors. Needs a split.
   */
  imageStage(embedding: ImageEmbedding, feeds: Feeds): Promise<Feeds> {
    const stages = this.stages;
    if (!stages) return Promise.reject(new RangeError('this decoder is not split: it has no image stage'));
    let cut = this.imageCache.get(embedding);
    if (!cut) {
      const imageFeeds = pickFeeds(stages.image, { ...feeds, ...stages.noMask }, 'decoder image stage');
      this.imageRuns++;
      cut = stages.image.run(imageFeeds).then((r) => ({ ...r }));
      this.imageCache.set(embedding, cut);
      cut.catch(() => this.imageCache.delete(embedding));
    }
    return cut;
  }

  async release(): Promise<void> {
    await Promise.all([this.whole.release(), this.stages?.image.release(), this.stages?.prompt.release()]);
  }
}
