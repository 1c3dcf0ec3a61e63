import { EmbeddingCache, SamflowError, type Frame, type SamModel } from '../../core';
import { RunTracker } from '../../core/internal';
import { CandidateStore } from './CandidateStore';
import { modelLoader, type ModelLoadOptions } from './modelLoader';

export type ModelState = 'loading' | 'ready' | 'failed' | 'closed';

/** A node that uses the model and shows its loading state. */
export interface ModelUser {
  onModelState(state: ModelState, detail: string): void;
}

/**
 * What a sam-model config node owns: the SamModel (both ONNX sessions), the embedding cache and
 * the list of nodes using it. Work runs through `run()`, which counts it in flight, so `close()`
 * (redeploy, removal) waits for running inference and then releases the sessions exactly once.
 */
export class ModelRuntime {
  /** The runtimes of the sam-model config nodes deployed now (for nodes without a model, e.g. sam-render). */
  private static readonly live = new Set<ModelRuntime>();

  /**
   * The decoded frame of the image `frameId` (msg.payload's id, see imageFromMessage) when the
   * embedding handle on the message (`msg.embedding` as sam-encoder sets it) is of that image and a
   * deployed sam-model still caches it, so a node need not decode msg.payload again.
   */
  static cachedFrame(handle: unknown, frameId: string): Frame | undefined {
    if (typeof handle !== 'object' || handle === null) return undefined;
    const h = handle as Record<string, unknown>;
    if (typeof h.modelId !== 'string' || h.frameId !== frameId) return undefined;
    const key = EmbeddingCache.keyOf(h.modelId, frameId);
    for (const runtime of ModelRuntime.live) {
      const frame = runtime.embeddings.get(key)?.frame;
      if (frame && frame.width === h.width && frame.height === h.height) return frame;
    }
    return undefined;
  }

  readonly embeddings: EmbeddingCache;
  /** Recent decoder candidates (low-res logits) by id, for mask_input refinement. */
  readonly candidates = new CandidateStore(64);
  private readonly users = new Set<ModelUser>();
  private readonly runs = new RunTracker(
    () => new SamflowError('MODEL_RELEASED', 'sam-model: the model was closed by a redeploy; the message was not processed. Send it again after the deploy finishes.'),
  );
  private readonly loading: Promise<SamModel>;
  private stateValue: ModelState = 'loading';
  private detail = '';

  constructor(
    readonly options: ModelLoadOptions,
    cacheSize: number,
  ) {
    this.embeddings = new EmbeddingCache({ maxEntries: cacheSize });
    ModelRuntime.live.add(this);
    const started = Date.now();
    this.loading = modelLoader.load(options);
    this.loading.then(
      (model) => this.setState('ready', `${model.id} loaded in ${Date.now() - started} ms`),
      (err: unknown) => this.setState('failed', err instanceof Error ? err.message : String(err)),
    );
  }

  get state(): ModelState {
    return this.stateValue;
  }

  /** Adds a user; it is told the current state at once and every change after. */
  register(user: ModelUser): void {
    this.users.add(user);
    user.onModelState(this.stateValue, this.detail);
  }

  deregister(user: ModelUser): void {
    this.users.delete(user);
  }

  get userCount(): number {
    return this.users.size;
  }

  /**
   * Runs `work` with the loaded model, counted in flight. Rejects with a SamflowError when the model
   * failed to load or the config node is closing (redeploy), so the caller can `done(err)`.
   */
  run<T>(work: (model: SamModel) => Promise<T>): Promise<T> {
    return this.runs.track(() =>
      this.loading.then(
        (model) => work(model),
        (err: unknown) => {
          throw new SamflowError(
            'MODEL_NOT_FOUND',
            `sam-model: the model could not be loaded (${err instanceof Error ? err.message : String(err)}). Fix the model id or paths in the sam-model config node and deploy again.`,
            undefined,
            { cause: err },
          );
        },
      ),
    );
  }

  /** Waits for work in flight, releases the sessions once and drops the cache. Idempotent. */
  close(): Promise<void> {
    ModelRuntime.live.delete(this);
    return this.runs.close(async () => {
      this.embeddings.clear();
      this.candidates.clear();
      try {
        const model = await this.loading;
        await model.release();
      } catch {
        // a model that failed to load holds no sessions
      }
      this.setState('closed', '');
      this.users.clear();
    });
  }

  private setState(state: ModelState, detail: string): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = state;
    this.detail = detail;
    for (const u of this.users) u.onModelState(state, detail);
  }
}
