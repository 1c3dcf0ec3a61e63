/**
 * Work in flight on a model and its one close, shared by the in-thread and the worker-hosted SAM
 * models. `track` counts a run; `retain` counts work that will run soon (encodeImage while it
 * preprocesses), so a `close` issued meanwhile lets that work start its run and waits for it;
 * `close` then waits for every tracked run and calls `finalize` exactly once. After close (and once
 * no hold is left) new runs reject with the error that `releasedError` makes.
 */
export class RunTracker {
  private readonly inFlight = new Set<Promise<unknown>>();
  private holds = 0;
  private holdsDrained: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly releasedError: () => Error) {}

  /** True once close() was called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Runs `run` counted as in flight; rejects after close unless a hold is still open. */
  track<T>(run: () => Promise<T>): Promise<T> {
    if (this.closing && this.holds === 0) return Promise.reject(this.releasedError());
    const p = run();
    this.inFlight.add(p);
    const done = (): void => {
      this.inFlight.delete(p);
    };
    p.then(done, done);
    return p;
  }

  /** Holds the model open until the returned function is called (once; later calls do nothing). */
  retain(): () => void {
    this.holds++;
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.holds--;
      if (this.holds === 0) this.holdsDrained?.();
    };
  }

  /** Waits for holds and runs in flight, then `finalize` once. Idempotent: later calls get the same promise. */
  close(finalize: () => Promise<void>): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        if (this.holds > 0) await new Promise<void>((resolve) => (this.holdsDrained = resolve));
        await Promise.allSettled([...this.inFlight]);
        await finalize();
      })();
    }
    return this.closing;
  }
}
