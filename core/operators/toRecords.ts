import type { OperatorFunction } from 'rxjs';
import { toRecords as toRecordsFn, type AmgRecord, type ToRecordsOptions } from '../records';
import type { ErrorPolicyOptions } from '../stream/SkippedItem';
import type { MaskCandidate } from '../types';
import { mapSync } from './mapSync';

export interface ToRecordsOperatorOptions extends ToRecordsOptions, ErrorPolicyOptions {}

/**
 * Turns each group of surviving candidates into SA-1B mask records (`segmentation` as COCO RLE by
 * default, `area`, `bbox`, `predicted_iou`, `point_coords`, `stability_score`, `crop_box`, `meta`).
 * The only stage that upscales masks to the original size — and only for what survived the filters.
 *
 * Like the print shop at the end of the line: only approved drafts get printed at full size.
 *
 * ```
 * groups: --[c1, c2]------[c3]--|
 * output: --[r1, r2]------[r3]--|
 * ```
 *
 * ## Example
 * ```ts
 * import { operators } from 'samflow';
 * candidates$.pipe(operators.toRecords({ outputMode: 'coco_rle', minMaskRegionArea: 100 }))
 *   .subscribe((records) => console.log(JSON.stringify(records)));
 * ```
 *
 * @param options `outputMode` ('coco_rle' | 'uncompressed_rle' | 'binary_mask'), `polygons`,
 *   `minMaskRegionArea` (+ NMS), `imageSize` (for crop candidates), `onError`, `errors`.
 * @returns An operator from MaskCandidate[] to AmgRecord[].
 *
 * Backpressure, errors and teardown: synchronous (one bilinear upscale per record); stateless.
 */
export function toRecords(options: ToRecordsOperatorOptions = {}): OperatorFunction<readonly MaskCandidate[], AmgRecord[]> {
  const { onError, errors, ...recordOptions } = options;
  return mapSync('toRecords', (cs: readonly MaskCandidate[]) => toRecordsFn(cs, recordOptions), { onError, errors });
}
