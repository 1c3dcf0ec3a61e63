import { SamflowError } from '../errors';
import { boxXywhToXyxy, boxXyxyToXywh } from '../amg/boxXyxyToXywh';
import { uncropMasks } from '../amg/uncrop';
import { candidateToMask } from './lowResToMask';
import { maskToRle } from './maskToRle';
import { compressRle } from './compressRle';
import { maskArea } from './maskArea';
import { maskToBoxXywh } from './maskToBoxXywh';
import { maskToPolygons, type Polygon, type MaskToPolygonsOptions } from './maskToPolygons';
import { removeSmallRegions } from './removeSmallRegions';
import { nonMaxSuppression } from './nonMaxSuppression';
import { candidateStability } from '../amg/filterStability';
import type { BinaryMask, BoxXywh, BoxXyxy, CompressedRle, MaskCandidate, MaskRecord, UncompressedRle } from '../types';

/** A record's segmentation in any of SAM's output modes. */
export type AmgSegmentation = CompressedRle | UncompressedRle | BinaryMask;

/** An SA-1B record, plus polygons when asked for. */
export interface AmgRecord<S extends AmgSegmentation = AmgSegmentation> extends MaskRecord<S> {
  readonly polygons?: Polygon[];
}

export interface ToRecordsOptions {
  /** 'coco_rle' (default), 'uncompressed_rle' or 'binary_mask'. */
  readonly outputMode?: 'coco_rle' | 'uncompressed_rle' | 'binary_mask';
  /** Add polygons (true: tolerance 1 px; or maskToPolygons options). */
  readonly polygons?: boolean | MaskToPolygonsOptions;
  /**
   * Original image size; required when candidates were predicted in crops (their cropBox does not
   * start at 0,0 or their transform is the crop's), so masks can be placed in the whole image.
   */
  readonly imageSize?: { readonly width: number; readonly height: number };
  /** SAM's postprocess_small_regions: fill holes and remove islands below this area (px), then NMS. Default 0: off. */
  readonly minMaskRegionArea?: number;
  /** IoU threshold of the NMS after small-region cleanup (SAM: max(boxNmsThresh, cropNmsThresh)); default 0.7. */
  readonly smallRegionNmsThresh?: number;
  /** Stability offset used when a candidate carries no stabilityScore yet (default 1). */
  readonly stabilityScoreOffset?: number;
}

/** Type guard: a COCO RLE with compressed counts. */
export function isCompressedRle(s: AmgSegmentation): s is CompressedRle {
  return 'counts' in s && typeof s.counts === 'string';
}

/**
 * Turns the surviving candidates into SA-1B records — the only place where masks are upscaled to
 * the original size (one at a time unless `minMaskRegionArea` needs them together):
 * `segmentation`, `area`, `bbox` (XYWH, SAM convention), `predicted_iou`, `point_coords` (the prompt
 * point in original pixels), `stability_score`, `crop_box` (XYWH), and `meta` from the prompt.
 */
export function toRecords(candidates: readonly MaskCandidate[], opts?: ToRecordsOptions & { outputMode?: 'coco_rle' }): AmgRecord<CompressedRle>[];
export function toRecords(candidates: readonly MaskCandidate[], opts: ToRecordsOptions & { outputMode: 'uncompressed_rle' }): AmgRecord<UncompressedRle>[];
export function toRecords(candidates: readonly MaskCandidate[], opts: ToRecordsOptions & { outputMode: 'binary_mask' }): AmgRecord<BinaryMask>[];
export function toRecords(candidates: readonly MaskCandidate[], opts?: ToRecordsOptions): AmgRecord[];
export function toRecords(candidates: readonly MaskCandidate[], opts: ToRecordsOptions = {}): AmgRecord[] {
  const mode = opts.outputMode ?? 'coco_rle';
  if (mode !== 'coco_rle' && mode !== 'uncompressed_rle' && mode !== 'binary_mask') {
    throw new SamflowError('BAD_OPTION', `toRecords: outputMode must be 'coco_rle', 'uncompressed_rle' or 'binary_mask', got ${String(mode)}`);
  }
  const minArea = opts.minMaskRegionArea ?? 0;
  if (!(minArea >= 0)) throw new SamflowError('BAD_OPTION', `toRecords: minMaskRegionArea must be >= 0, got ${minArea}`);
  const polyOpts: MaskToPolygonsOptions | undefined = opts.polygons === true ? {} : opts.polygons === false || opts.polygons === undefined ? undefined : opts.polygons;

  const fullMask = (c: MaskCandidate): { mask: BinaryMask; cropXyxy: BoxXyxy } => {
    const cropMask = candidateToMask(c);
    const W = opts.imageSize?.width ?? cropMask.width;
    const H = opts.imageSize?.height ?? cropMask.height;
    const cropXyxy: BoxXyxy = c.cropBox ? boxXywhToXyxy(c.cropBox) : [0, 0, W, H];
    if (cropXyxy[2] - cropXyxy[0] !== cropMask.width || cropXyxy[3] - cropXyxy[1] !== cropMask.height) {
      throw new SamflowError(
        'BAD_OPTION',
        `toRecords: candidate of frame ${c.frameId} has a ${cropMask.width}x${cropMask.height} mask but crop box [${c.cropBox?.join(', ') ?? ''}]; give the crop box the candidate was predicted in`,
      );
    }
    if (cropMask.width !== W || cropMask.height !== H) {
      if (!opts.imageSize) {
        throw new SamflowError('BAD_OPTION', 'toRecords: candidates predicted in crops need opts.imageSize (the original width and height)');
      }
    }
    return { mask: uncropMasks(cropMask, cropXyxy, H, W), cropXyxy };
  };

  const record = (c: MaskCandidate, mask: BinaryMask, cropXyxy: BoxXyxy): AmgRecord => {
    const p = c.prompt.points?.[0];
    const point: readonly [number, number] = p ? [p.x + cropXyxy[0], p.y + cropXyxy[1]] : [0, 0];
    const segmentation: AmgSegmentation = mode === 'binary_mask' ? mask : mode === 'uncompressed_rle' ? maskToRle(mask) : compressRle(maskToRle(mask));
    const cropBox: BoxXywh = boxXyxyToXywh(cropXyxy);
    return {
      segmentation,
      area: maskArea(mask),
      bbox: maskToBoxXywh(mask),
      predicted_iou: c.predictedIou,
      point_coords: [point],
      stability_score: c.stabilityScore ?? candidateStability(c, opts.stabilityScoreOffset ?? 1),
      crop_box: cropBox,
      ...(c.prompt.meta ? { meta: c.prompt.meta } : {}),
      ...(polyOpts ? { polygons: maskToPolygons(mask, polyOpts) } : {}),
    };
  };

  if (minArea <= 0) {
    return candidates.map((c) => {
      const { mask, cropXyxy } = fullMask(c);
      return record(c, mask, cropXyxy);
    });
  }
  // SAM's postprocess_small_regions: clean every mask, then NMS preferring unchanged masks.
  const cleaned = candidates.map((c) => {
    const { mask, cropXyxy } = fullMask(c);
    const holes = removeSmallRegions(mask, minArea, 'holes');
    const islands = removeSmallRegions(holes.mask, minArea, 'islands');
    const unchanged = !holes.changed && !islands.changed;
    const b = maskToBoxXywh(islands.mask);
    return { c, mask: islands.mask, cropXyxy, score: unchanged ? 1 : 0, box: [b[0], b[1], b[0] + b[2], b[1] + b[3]] as BoxXyxy };
  });
  const keep = nonMaxSuppression(
    cleaned.map((x) => x.box),
    cleaned.map((x) => x.score),
    opts.smallRegionNmsThresh ?? 0.7,
  );
  return keep.map((i) => record(cleaned[i].c, cleaned[i].mask, cleaned[i].cropXyxy));
}
