import { SamflowError } from '../errors';
import { RunTracker } from './RunTracker';
import type { DecoderFeeds } from '../types';
import { WorkerHost, type WorkerHostHandle } from '../worker/WorkerHost';
import { sharedCopy } from '../worker/workerProtocol';
import type { ModelSource, SamSessionOptions } from './samSessions';
import type {
  DecoderWorkerApi,
  DecoderWorkerInit,
  DecoderWorkerReady,
  EncoderWorkerApi,
  EncoderWorkerInit,
  EncoderWorkerReady,
  PromptWorkerApi,
  PromptWorkerInit,
  SharedEmbedding,
  SharedTensor,
} from './samWorkerApi';
import type { DecoderOutput, ModelSpec, SamModel } from './SamModel';

type EncoderHost = WorkerHost<EncoderWorkerApi, EncoderWorkerInit, EncoderWorkerReady>;
type DecoderHost = WorkerHost<DecoderWorkerApi, DecoderWorkerInit, DecoderWorkerReady>;
type PromptHost = WorkerHost<PromptWorkerApi, PromptWorkerInit, Record<string, never>>;

export interface HostedSamModelFiles {
  readonly encoderFile: string;
  /** The decoder file, or its bytes (after a graph transform); `decoderFile` names it in errors. */
  readonly decoder: ModelSource;
  readonly decoderFile: string;
}

export interface HostedSamModelOptions {
  readonly sessionOptions: SamSessionOptions;
  readonly splitDecoder: boolean;
  /** Prompt-stage worker threads (one single-threaded session each); 0: prompts run in the decoder worker. */
  readonly decoderWorkers: number;
  /** Expose SAM's 4 masks of a single-mask export (see openDecoder). */
  readonly multimask: boolean;
}

/**
 * SamModel whose ONNX sessions all live on worker threads (WorkerHost): the encoder in one, the
 * decoder (whole, or its image and prompt stages) in another, and with `decoderWorkers` N more for
 * the prompt stage. The main thread only posts messages, so its event loop stays live during runs;
 * an encode and a decode run at the same time (they are in different threads).
 *
 * No embedding is copied per prompt: the encoder worker returns each embedding twice, in a plain
 * ArrayBuffer for the caller (so it still feeds onnxruntime sessions of the caller's own) and in a
 * SharedArrayBuffer that decodes post shared; the decoder worker keeps its copy per embedding id
 * (LRU). Other embeddings (a cache read from disk) are copied into a SharedArrayBuffer once per array.
 */
export class HostedSamModel implements SamModel {
  readonly id: string;
  private readonly runs = new RunTracker(() => new SamflowError('MODEL_RELEASED', `model "${this.id}" was released; load it again to run it`));
  private readonly shared = new WeakMap<Float32Array, SharedEmbedding>();
  private readonly cuts = new WeakMap<Float32Array, Promise<readonly SharedTensor[]>>();
  private nextEmbeddingId = 1;

  private constructor(
    readonly spec: ModelSpec,
    private readonly encoder: EncoderHost,
    private readonly decoder: DecoderHost,
    private readonly prompts: readonly PromptHost[],
  ) {
    this.id = spec.id;
  }

  /** Starts the workers (each creates its sessions there) and waits until all are loaded. */
  static async start(spec0: ModelSpec, files: HostedSamModelFiles, opts: HostedSamModelOptions): Promise<HostedSamModel> {
    const id = spec0.id;
    const started: WorkerHostHandle[] = [];
    const track = <T extends { host: WorkerHostHandle }>(p: Promise<T>): Promise<T> =>
      p.then((r) => {
        started.push(r.host);
        return r;
      });
    try {
      const [enc, dec] = await Promise.allSettled([
        track(
          WorkerHost.start<EncoderWorkerApi, EncoderWorkerInit, EncoderWorkerReady>({
            module: 'core/model/samEncoderWorker',
            init: { file: files.encoderFile, spec: spec0, options: opts.sessionOptions },
            label: `encoder of model "${id}"`,
          }),
        ),
        track(
          WorkerHost.start<DecoderWorkerApi, DecoderWorkerInit, DecoderWorkerReady>({
            module: 'core/model/samDecoderWorker',
            init: {
              model: files.decoder,
              file: files.decoderFile,
              spec: spec0,
              options: opts.sessionOptions,
              split: opts.splitDecoder,
              wantPromptStage: opts.decoderWorkers > 0,
              multimask: opts.multimask,
            },
            label: `decoder of model "${id}"`,
          }),
        ),
      ]);
      if (enc.status === 'rejected') throw enc.reason;
      if (dec.status === 'rejected') throw dec.reason;
      const spec: ModelSpec = { ...spec0, encoder: enc.value.ready.io, decoder: { ...spec0.decoder, multimask: dec.value.ready.multimask } };
      const stage = dec.value.ready.promptStage;
      const prompts: PromptHost[] = [];
      if (stage && opts.decoderWorkers > 0) {
        const hosts = await Promise.all(
          Array.from({ length: opts.decoderWorkers }, (_, i) =>
            track(
              WorkerHost.start<PromptWorkerApi, PromptWorkerInit, Record<string, never>>({
                module: 'core/model/samPromptWorker',
                init: { model: stage, spec, options: { ...opts.sessionOptions, intraOpNumThreads: 1 } },
                label: `decoder worker ${i + 1} of model "${id}"`,
              }),
            ),
          ),
        );
        prompts.push(...hosts.map((h) => h.host));
      }
      return new HostedSamModel(spec, enc.value.host, dec.value.host, prompts);
    } catch (e) {
      await Promise.all(started.map((h) => h.terminate()));
      throw e;
    }
  }

  /** How many runDecoder calls run in parallel: the prompt-stage workers, or 1. */
  get decoderConcurrency(): number {
    return Math.max(1, this.prompts.length);
  }

  get released(): boolean {
    return this.runs.closed;
  }

  /** See SamModel.retain: a release() issued meanwhile waits until the returned function is called. */
  retain(): () => void {
    return this.runs.retain();
  }

  /** The worker hosts (encoder, decoder, prompt stages), for tests and diagnostics. */
  get workerHosts(): readonly WorkerHostHandle[] {
    return [this.encoder, this.decoder, ...this.prompts];
  }

  runEncoder(input: Float32Array): Promise<Float32Array> {
    const s = this.spec.inputSize;
    if (input.length !== 3 * s * s) {
      return Promise.reject(new SamflowError('BAD_OPTION', `encoder input must be float32[1,3,${s},${s}], got ${input.length} values`));
    }
    // the input is copied to the worker (the caller keeps its array); the embedding comes back moved,
    // with its shared twin for the decoder workers
    return this.runs.track(async () => {
      const { embedding, shared } = await this.encoder.call('encode', { input });
      this.shared.set(embedding, { id: this.nextEmbeddingId++, data: shared });
      return embedding;
    });
  }

  runDecoder(embedding: Float32Array, feeds: DecoderFeeds): Promise<DecoderOutput> {
    const size = this.spec.encoder.embeddingDims.reduce((a, b) => a * b, 1);
    if (embedding.length !== size) {
      return Promise.reject(new SamflowError('BAD_OPTION', `embedding must be float32[${this.spec.encoder.embeddingDims.join(',')}], got ${embedding.length} values`));
    }
    return this.runs.track(async () => {
      const shared = this.sharedEmbedding(embedding);
      if (this.prompts.length === 0 || feeds.hasMaskInput[0] !== 0) return this.decoder.call('run', { embedding: shared, feeds });
      const cut = await this.imageStage(embedding, shared);
      return this.leastBusyPromptWorker().call('run', { cutId: shared.id, cut, feeds });
    });
  }

  private sharedEmbedding(embedding: Float32Array): SharedEmbedding {
    let s = this.shared.get(embedding);
    if (!s) {
      s = { id: this.nextEmbeddingId++, data: embedding.buffer instanceof SharedArrayBuffer ? embedding : sharedCopy(embedding) };
      this.shared.set(embedding, s);
    }
    return s;
  }

  private imageStage(embedding: Float32Array, shared: SharedEmbedding): Promise<readonly SharedTensor[]> {
    let cut = this.cuts.get(embedding);
    if (!cut) {
      cut = this.decoder.call('imageStage', { embedding: shared }).then((r) => r.cut);
      this.cuts.set(embedding, cut);
      cut.catch(() => this.cuts.delete(embedding));
    }
    return cut;
  }

  private leastBusyPromptWorker(): PromptHost {
    let best = this.prompts[0];
    for (const p of this.prompts) if (p.inFlight < best.inFlight) best = p;
    return best;
  }

  /** Waits for the runs in flight, then terminates every worker once. Idempotent. */
  release(): Promise<void> {
    return this.runs.close(async () => {
      await Promise.all(this.workerHosts.map((h) => h.terminate()));
    });
  }
}
