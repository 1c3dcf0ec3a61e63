import { SamflowError, type CocoDetector } from '../../core';
import { RunTracker } from '../../core/internal';
import { detectorLoader } from './detectorLoader';

/**
 * A node's COCO detector: loaded when the node starts, used through `run()` (counted in flight),
 * released once by `close()` after the detections in flight have finished.
 */
export class DetectorHolder {
  private readonly loading: Promise<CocoDetector>;
  private readonly runs = new RunTracker(() => new SamflowError('MODEL_RELEASED', 'the detector was closed by a redeploy; send the message again after the deploy.'));

  constructor(onState: (state: 'ready' | 'failed', detail: string) => void) {
    const started = Date.now();
    this.loading = detectorLoader.load();
    this.loading.then(
      (d) => {
        if (!this.runs.closed) onState('ready', `detector on ${d.backend} · ${Date.now() - started} ms`);
      },
      (err: unknown) => {
        if (!this.runs.closed) onState('failed', err instanceof Error ? err.message : String(err));
      },
    );
  }

  run<T>(work: (detector: CocoDetector) => Promise<T>): Promise<T> {
    return this.runs.track(() =>
      this.loading.then(work, (err: unknown) => {
        throw new SamflowError(
          'MODEL_NOT_FOUND',
          `the COCO detector could not be loaded (${err instanceof Error ? err.message : String(err)}); check that @vladmandic/human and @tensorflow/tfjs-backend-wasm are installed.`,
          undefined,
          { cause: err },
        );
      }),
    );
  }

  /** Waits for the detections in flight, then releases the detector once. Idempotent. */
  close(): Promise<void> {
    return this.runs.close(async () => {
      try {
        await (await this.loading).release(); // ends the detector's worker thread
      } catch {
        // nothing was loaded
      }
    });
  }
}
