import { Observable, type OperatorFunction } from 'rxjs';
import type { AmgOptions } from '../amg/AmgOptions';
import { generateMasks } from '../amg/generateMasks';
import type { AmgRecord } from '../records';
import type { SamModel } from '../model/SamModel';
import { withBackpressure, type BackpressureOptions } from '../stream/withBackpressure';
import type { EmbeddedFrame, Frame } from '../types';

/** SAM's AMG parameters (`generateMasks`' options: SAM defaults, crops, `skipCovered`) plus backpressure over frames. */
export interface SegmentEverythingOptions extends AmgOptions, Omit<BackpressureOptions<EmbeddedFrame>, 'idOf' | 'stage'> {}

/** All masks of one frame. */
export interface FrameRecords {
  readonly frame: Frame;
  readonly records: AmgRecord[];
}

/**
 * SAM's automatic mask generator as one operator: `generateMasks` (grid prompts → decode →
 * predicted-IoU filter → stability filter → box NMS, crops, `skipCovered`, as many decoder runs at
 * once as the model has decoder workers) → SA-1B records, per embedded frame. The frame's
 * embedding is used for the whole image; crop layers encode their crops.
 *
 * Like sending a surveyor to stake every point of a field and keeping only the plots that hold up.
 *
 * ```
 * embedded: --a-----------------b--|
 * output:   ------{a, records}-----------------{b, records}|   (each frame: pointsPerSide² decodes)
 * ```
 *
 * Its records are exactly `generateMasks(model, embedded.frame, { ...options, embedded })`'s. The
 * stages are operators too, to rearrange yourself:
 * `of(embedded).pipe(gridPrompts(), decodeMasks(model), filterPredictedIou(), filterStability(), nonMaxSuppression(), toRecords())`.
 *
 * ## Example
 * ```ts
 * import { operators, fromImageFiles, loadSamModel } from 'samflow';
 * const model = await loadSamModel();
 * fromImageFiles('photos')
 *   .pipe(operators.encodeImage(model), operators.segmentEverything(model, { pointsPerSide: 16 }))
 *   .subscribe(({ frame, records }) => console.log(frame.id, records.length, 'masks'));
 * ```
 *
 * @param model The model that made the embeddings.
 * @param options SAM's AMG parameters (camelCase, SAM defaults, as `generateMasks`: `cropNLayers`,
 *   `skipCovered`, ...), backpressure `policy` over frames (default 'all'), `stats`, `onError`, `errors`.
 * @returns An operator from EmbeddedFrame to FrameRecords.
 *
 * Backpressure, errors and teardown: one frame at a time (a 32×32 grid is ~1024 decodes, about a
 * minute on 2 cores; use 'latest' on live sources). A failing frame errors the stream or is skipped
 * with `onError: 'skip'`. Unsubscribing stops between two decodes: no `runDecoder` call after it.
 */
export function segmentEverything(model: SamModel, options: SegmentEverythingOptions = {}): OperatorFunction<EmbeddedFrame, FrameRecords> {
  const { policy, stats, onError, errors, yieldBeforeNext, now, concurrency, ...amg } = options;
  const bp = { policy, stats, onError, errors, yieldBeforeNext, now, concurrency };
  return withBackpressure(
    (embedded: EmbeddedFrame) =>
      new Observable<FrameRecords>((subscriber) => {
        // unsubscribing aborts: generateMasks starts no decoder run after it
        const abort = new AbortController();
        generateMasks(model, embedded.frame, { ...amg, embedded, signal: abort.signal }).then(
          (records) => {
            subscriber.next({ frame: embedded.frame, records });
            subscriber.complete();
          },
          (e: unknown) => subscriber.error(e),
        );
        return () => abort.abort();
      }),
    { ...bp, stage: 'segmentEverything', idOf: (e) => e.frame.id },
  );
}
