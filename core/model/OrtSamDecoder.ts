import * as ort from 'onnxruntime-node';
import { splitSamDecoder, type SamDecoderIo } from './splitSamDecoder';

/** The decoder's input names by role (the official SAM ONNX decoder's, or a manifest's). */
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

function pick(feeds: Feeds, names: readonly string[]): Feeds {
  const out: Feeds = {};
  for (const n of names) {
    const t = feeds[n];
    if (!t) throw new RangeError(`decoder input "${n}" was not given`);
    out[n] = t;
  }
  return out;
}

interface Stages {
  readonly image: ort.InferenceSession;
  readonly imageInputs: readonly string[];
  readonly prompt: ort.InferenceSession;
  readonly promptInputs: readonly string[];
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

/**
 * The SAM mask decoder on onnxruntime, as splitSamDecoder cuts it: the image stage runs once per
 * embedding (kept while the embedding array is alive), the prompt stage once per prompt. A prompt
 * with a mask input (which changes the image stage) runs the whole decoder. Without a usable split
 * every run uses the whole decoder.
 */
export class OrtSamDecoder {
  private readonly imageCache = new WeakMap<Float32Array, Promise<Feeds>>();
  private readonly noMask: Feeds;
  private imageRuns = 0;

  private constructor(
    private readonly whole: ort.InferenceSession,
    private readonly wholeInputs: readonly string[],
    private readonly stages: Stages | undefined,
    private readonly names: SamDecoderInputNames,
    /** The prompt stage's ONNX bytes, for sessions elsewhere (decoder worker threads); with `stages`. */
    readonly promptStageModel?: Uint8Array,
  ) {
    this.noMask = {
      [names.maskInput]: new ort.Tensor('float32', new Float32Array(256 * 256), [1, 1, 256, 256]), // float32[1,1,256,256]
      [names.hasMaskInput]: new ort.Tensor('float32', new Float32Array([0]), [1]), // float32[1]
    };
  }

  /** True when prompts without a mask input run only the prompt stage. */
  get isSplit(): boolean {
    return this.stages !== undefined;
  }

  /** The prompt stage's input names (those not made by the image stage), when split. */
  get promptInputs(): readonly string[] {
    return this.stages?.promptInputs ?? [];
  }

  /**
   * Builds the sessions from the decoder file's bytes. With `split`, the image and prompt stages are
   * checked on a probe prompt against the whole decoder and dropped unless the outputs agree (1e-4).
   */
  static async create(
    bytes: Uint8Array,
    names: SamDecoderInputNames,
    outputs: readonly string[],
    embeddingDims: readonly number[],
    options: ort.InferenceSession.SessionOptions,
    split: boolean,
  ): Promise<OrtSamDecoder> {
    const io: SamDecoderIo = {
      imageInputs: [names.imageEmbeddings, names.maskInput, names.hasMaskInput],
      promptInputs: [names.pointCoords, names.pointLabels, names.origImSize],
      outputs,
    };
    const plan = splitSamDecoder(bytes, io);
    const whole = await ort.InferenceSession.create(plan.whole, options);
    const wholeOnly = new OrtSamDecoder(whole, plan.wholeInputs, undefined, names);
    if (!split || !plan.split) return wholeOnly;
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
      const stages: Stages = { image, imageInputs: s.imageStageInputs, prompt, promptInputs: s.promptStageInputs };
      const splitDecoder = new OrtSamDecoder(whole, plan.wholeInputs, stages, names, promptStage);
      // probe: a deterministic embedding and one click in the middle of the model frame
      const size = embeddingDims.reduce((a, b) => a * b, 1);
      const embedding = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.7311) * 0.5);
      const feeds: Feeds = {
        [names.imageEmbeddings]: new ort.Tensor('float32', embedding, embeddingDims), // float32[1,256,64,64]
        [names.pointCoords]: new ort.Tensor('float32', new Float32Array([512, 384, 0, 0]), [1, 2, 2]), // float32[1,2,2]
        [names.pointLabels]: new ort.Tensor('float32', new Float32Array([1, -1]), [1, 2]), // float32[1,2]
        [names.origImSize]: new ort.Tensor('float32', new Float32Array([768, 1024]), [2]), // float32[2]
        ...splitDecoder.noMask,
      };
      const a = await wholeOnly.run(embedding, feeds, outputs);
      const b = await splitDecoder.run(embedding, feeds, outputs);
      if (maxAbsDiff(a, b, outputs) <= 1e-4) return splitDecoder;
    } catch {
      // a split onnxruntime cannot load or run: use the whole decoder
    }
    await image.release();
    await prompt?.release();
    return wholeOnly;
  }

  /** How many times the image stage ran (once per embedding array while it is alive). */
  get imageStageRuns(): number {
    return this.imageRuns;
  }

  /** One decoder run; `embedding` is the array behind the image-embedding feed (the cache key). */
  async run(embedding: Float32Array, feeds: Feeds, outputs: readonly string[]): Promise<DecoderRunOutput> {
    const hasMask = feeds[this.names.hasMaskInput]?.data[0] !== 0;
    if (!this.stages || hasMask) return this.whole.run(pick(feeds, this.wholeInputs), outputs);
    const cutFeeds = await this.imageStage(embedding, feeds);
    return this.stages.prompt.run({ ...pick(feeds, this.stages.promptInputs), ...cutFeeds }, outputs);
  }

  /**
   * The image stage's outputs for `embedding` (the prompt stage's other inputs), run once per
   * embedding array while it is alive. `feeds` holds the image-embeddings tensor. Needs a split.
   */
  imageStage(embedding: Float32Array, feeds: Feeds): Promise<Feeds> {
    const stages = this.stages;
    if (!stages) return Promise.reject(new RangeError('this decoder is not split: it has no image stage'));
    let cut = this.imageCache.get(embedding);
    if (!cut) {
      const imageFeeds = pick({ ...feeds, ...this.noMask }, stages.imageInputs);
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
