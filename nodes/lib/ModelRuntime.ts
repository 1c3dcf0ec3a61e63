import { SamflowError } from '../../core/errors';
import type { SamModel } from '../../core/model/SamModel';
import { EmbeddingCache } from '../../core/model/EmbeddingCache';
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
  readonly embeddings: EmbeddingCache;
  /** Recent decoder candidates (low-res logits) by id, for mask_input refinement. */
  readonly candidates = new CandidateStore(64);
  private readonly users = new Set<ModelUser>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly loading: Promise<SamModel>;
  private stateValue: ModelState = 'loading';
  private detail = '';
  private closing: Promise<void> | undefined;

  constructor(
    readonly options: ModelLoadOptions,
    cacheSize: number,
  ) {
    this.embeddings = new EmbeddingCache({ maxEntries: cacheSize });
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
    if (this.closing) {
      return Promise.reject(
        new SamflowError('MODEL_RELEASED', 'sam-model: the model was closed by a redeploy; the message was not processed. Send it again after the deploy finishes.'),
      );
    }
    const job = this.loading.then(
      (model) => work(model),
      (err: unknown) => {
        throw new SamflowError(
          'MODEL_NOT_FOUND',
          `sam-model: the model could not be loaded (${err instanceof Error ? err.message : String(err)}). Fix the model id or paths in the sam-model config node and deploy again.`,
          undefined,
          { cause: err },
        );
      },
    );
    this.inFlight.add(job);
    const forget = (): void => {
      this.inFlight.delete(job);
    };
    job.then(forget, forget);
    return job;
  }

  /** Waits for work in flight, releases the sessions once and drops the cache. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        await Promise.allSettled([...this.inFlight]);
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
      })();
    }
    return this.closing;
  }

  private setState(state: ModelState, detail: string): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = state;
    this.detail = detail;
    for (const u of this.users) u.onModelState(state, detail);
  }
}
