import { SamflowError } from '../../core/errors';
import type { CocoDetector } from '../../core';
import { detectorLoader } from './detectorLoader';

/**
 * A node's COCO detector: loaded when the node starts, used through `run()` (counted in flight),
 * released once by `close()` after the detections in flight have finished.
 */
export class DetectorHolder {
  private readonly loading: Promise<CocoDetector>;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  constructor(onState: (state: 'ready' | 'failed', detail: string) => void) {
    const started = Date.now();
    this.loading = detectorLoader.load();
    this.loading.then(
      (d) => {
        if (!this.closing) onState('ready', `detector on ${d.backend} · ${Date.now() - started} ms`);
      },
      (err: unknown) => {
        if (!this.closing) onState('failed', err instanceof Error ? err.message : String(err));
      },
    );
  }

  run<T>(work: (detector: CocoDetector) => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new SamflowError('MODEL_RELEASED', 'the detector was closed by a redeploy; send the message again after the deploy.'));
    const job = this.loading.then(work, (err: unknown) => {
      throw new SamflowError(
        'MODEL_NOT_FOUND',
        `the COCO detector could not be loaded (${err instanceof Error ? err.message : String(err)}); check that @vladmandic/human and @tensorflow/tfjs-backend-wasm are installed.`,
        undefined,
        { cause: err },
      );
    });
    this.inFlight.add(job);
    const forget = (): void => {
      this.inFlight.delete(job);
    };
    job.then(forget, forget);
    return job;
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        await Promise.allSettled([...this.inFlight]);
        try {
          await (await this.loading).release(); // ends the detector's worker thread
        } catch {
          // nothing was loaded
        }
      })();
    }
    return this.closing;
  }
}
