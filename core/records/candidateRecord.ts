import { boxXyxyToXywh } from '../masks/boxXyxyToXywh';
import { candidateStability } from '../masks/candidateStability';
import { candidateToMask } from '../masks/lowResToMask';
import { maskToPolygons, type MaskToPolygonsOptions } from '../masks/maskToPolygons';
import type { BinaryMask, BoxXyxy, MaskCandidate } from '../types';
import type { AmgRecord, RecordOptions } from './AmgRecord';
import { maskRecordFields } from './maskRecordFields';

/** `polygons` option → maskToPolygons options, or undefined when off. */
export function polygonOptions(polygons: RecordOptions['polygons']): MaskToPolygonsOptions | undefined {
  return polygons === true ? {} : polygons === false || polygons === undefined ? undefined : polygons;
}

/**
 * One SA-1B record for one candidate: `segmentation`, `area`, `bbox` (XYWH, SAM convention),
 * `predicted_iou`, `point_coords` (the prompt point in original pixels), `stability_score`,
 * `crop_box` (XYWH), and `meta` from the prompt. `mask` is the candidate's mask in original-image
 * pixels (default: the candidate upscaled, for a whole-image candidate) and `cropXyxy` the crop it
 * was predicted in (default: the whole mask).
 */
export function candidateRecord(c: MaskCandidate, opts: RecordOptions & { readonly mask?: BinaryMask; readonly cropXyxy?: BoxXyxy } = {}): AmgRecord {
  const mask = opts.mask ?? candidateToMask(c);
  const cropXyxy: BoxXyxy = opts.cropXyxy ?? [0, 0, mask.width, mask.height];
  const p = c.prompt.points?.[0];
  const point: readonly [number, number] = p ? [p.x + cropXyxy[0], p.y + cropXyxy[1]] : [0, 0];
  const polyOpts = polygonOptions(opts.polygons);
  return {
    ...maskRecordFields(mask, opts.outputMode),
    predicted_iou: c.predictedIou,
    point_coords: [point],
    stability_score: c.stabilityScore ?? candidateStability(c, opts.stabilityScoreOffset ?? 1),
    crop_box: boxXyxyToXywh(cropXyxy),
    ...(c.prompt.meta ? { meta: c.prompt.meta } : {}),
    ...(polyOpts ? { polygons: maskToPolygons(mask, polyOpts) } : {}),
  };
}
