import { SamflowError } from '../errors';
import { RunTracker } from './RunTracker';
import type { DecoderFeeds, ImageEmbedding } from '../types';
import { mapEmbedding } from './mapEmbedding';
import { familyOf } from './family/familyOf';
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
 * No embedding is copied per prompt: the encoder worker returns each embedding's tensors twice, in
 * plain ArrayBuffers for the caller (so they still feed onnxruntime sessions of the caller's own)
 * and in SharedArrayBuffers that decodes post shared; the decoder worker keeps its copy per
 * embedding id (LRU). Other embeddings (a cache read from disk) are copied into SharedArrayBuffers
 * once per embedding object.
 */
export class HostedSamModel implements SamModel {
  readonly id: string;
  private readonly runs = new RunTracker(() => new SamflowError('MODEL_RELEASED', `model "${this.id}" was released; load it again to run it`));
  private readonly shared = new WeakMap<ImageEmbedding, SharedEmbedding>();
  private readonly cuts = new WeakMap<ImageEmbedding, Promise<readonly SharedTensor[]>>();
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

  runEncoder(input: Float32Array): Promise<ImageEmbedding> {
    const s = this.spec.inputSize;
    if (input.length !== 3 * s * s) {
      return Promise.reject(new SamflowError('BAD_OPTION', `encoder input must be float32[1,3,${s},${s}], got ${input.length} values`));
    }
    // the input is copied to the worker (the caller keeps its array); the embedding comes back moved,
    // with its shared twin for the decoder workers
    return this.runs.track(async () => {
      const { embedding, shared } = await this.encoder.call('encode', { input });
      this.shared.set(embedding, { id: this.nextEmbeddingId++, embedding: shared });
      return embedding;
    });
  }

  runDecoder(embedding: ImageEmbedding, feeds: DecoderFeeds): Promise<DecoderOutput> {
    const wrong = this.embeddingMismatch(embedding);
    if (wrong) return Promise.reject(new SamflowError('BAD_OPTION', wrong));
    return this.runs.track(async () => {
      const shared = this.sharedEmbedding(embedding);
      if (this.prompts.length === 0 || feeds.hasMaskInput[0] !== 0) return this.decoder.call('run', { embedding: shared, feeds });
      const cut = await this.imageStage(embedding, shared);
      return this.leastBusyPromptWorker().call('run', { cutId: shared.id, cut, feeds });
    });
  }

  /** Why `embedding` does not fit this model's family (a tensor missing or of the wrong size), or undefined. */
  private embeddingMismatch(embedding: ImageEmbedding): string | undefined {
    for (const slot of familyOf(this.spec.family, this.id).embeddingSlots(this.spec)) {
      const t = embedding?.tensors?.[slot.name];
      const size = slot.dims.reduce((a, b) => a * b, 1);
      if (!(t?.data instanceof Float32Array) || t.data.length !== size) {
        const got = t?.data instanceof Float32Array ? `${t.data.length} values` : 'nothing';
        return `embedding tensor "${slot.name}" must be float32[${slot.dims.join(',')}], got ${got}`;
      }
    }
    return undefined;
  }

  private sharedEmbedding(embedding: ImageEmbedding): SharedEmbedding {
    let s = this.shared.get(embedding);
    if (!s) {
      const shared = mapEmbedding(embedding, (d) => (d.buffer instanceof SharedArrayBuffer ? d : sharedCopy(d)));
      s = { id: this.nextEmbeddingId++, embedding: shared };
      this.shared.set(embedding, s);
    }
    return s;
  }

  private imageStage(embedding: ImageEmbedding, shared: SharedEmbedding): Promise<readonly SharedTensor[]> {
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
