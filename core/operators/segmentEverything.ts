import { map, of, type OperatorFunction } from 'rxjs';
import type { AmgRecord } from '../records';
import type { SamModel } from '../model/SamModel';
import { withBackpressure, type BackpressureOptions } from '../stream/withBackpressure';
import type { EmbeddedFrame, Frame } from '../types';
import { decodeMasks } from './decodeMasks';
import { filterPredictedIou } from './filterPredictedIou';
import { filterStability } from './filterStability';
import { gridPrompts } from './gridPrompts';
import { nonMaxSuppression } from './nonMaxSuppression';
import { toRecords } from './toRecords';

export interface SegmentEverythingOptions extends Omit<BackpressureOptions<EmbeddedFrame>, 'idOf' | 'stage'> {
  /** SAM defaults: 32, 0.88, 0.95, 1.0, 0.7, 0, 'coco_rle'. */
  readonly pointsPerSide?: number;
  readonly predIouThresh?: number;
  readonly stabilityScoreThresh?: number;
  readonly stabilityScoreOffset?: number;
  readonly boxNmsThresh?: number;
  readonly minMaskRegionArea?: number;
  readonly outputMode?: 'coco_rle' | 'uncompressed_rle' | 'binary_mask';
  readonly polygons?: boolean;
}

/** All masks of one frame. */
export interface FrameRecords {
  readonly frame: Frame;
  readonly records: AmgRecord[];
}

/**
 * SAM's automatic mask generator as one operator: grid prompts → decode → predicted-IoU filter →
 * stability filter → box NMS → SA-1B records, per embedded frame.
 *
 * Like sending a surveyor to stake every point of a field and keeping only the plots that hold up.
 *
 * ```
 * embedded: --a-----------------b--|
 * output:   ------{a, records}-----------------{b, records}|   (each frame: pointsPerSide² decodes)
 * ```
 *
 * It is exactly this pipe, which you can rearrange yourself:
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
 * @param options SAM's AMG parameters (camelCase, SAM defaults; no crop layers here — use the
 *   `generateMasks` function for `cropNLayers`), backpressure `policy` over frames (default 'all'),
 *   `stats`, `onError`, `errors`.
 * @returns An operator from EmbeddedFrame to FrameRecords.
 *
 * Backpressure, errors and teardown: one frame at a time (a 32×32 grid is ~1024 decodes, about a
 * minute on 2 cores; use 'latest' on live sources). A failing frame errors the stream or is skipped
 * with `onError: 'skip'`. Unsubscribing stops between two decodes: no `runDecoder` call after it.
 */
export function segmentEverything(model: SamModel, options: SegmentEverythingOptions = {}): OperatorFunction<EmbeddedFrame, FrameRecords> {
  const { pointsPerSide, predIouThresh, stabilityScoreThresh, stabilityScoreOffset, boxNmsThresh, minMaskRegionArea, outputMode, polygons, ...bp } = options;
  const grid = gridPrompts({ pointsPerSide });
  const iou = filterPredictedIou(predIouThresh);
  const stable = filterStability({ stabilityScoreThresh, stabilityScoreOffset });
  const nms = nonMaxSuppression(boxNmsThresh);
  const records = toRecords({ outputMode, polygons, minMaskRegionArea, stabilityScoreOffset });
  return withBackpressure(
    (embedded: EmbeddedFrame) =>
      of(embedded).pipe(
        grid,
        decodeMasks(model),
        iou,
        stable,
        nms,
        records,
        map((r): FrameRecords => ({ frame: embedded.frame, records: r })),
      ),
    { ...bp, stage: 'segmentEverything', idOf: (e) => e.frame.id },
  );
}
