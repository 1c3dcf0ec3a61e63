import { SamflowError } from '../errors';
import { boxXywhToXyxy } from '../masks/boxXyxyToXywh';
import { uncropMasks } from '../masks/uncrop';
import { candidateToMask } from '../masks/lowResToMask';
import { maskToBoxXywh } from '../masks/maskToBoxXywh';
import { removeSmallRegions } from '../masks/removeSmallRegions';
import { nonMaxSuppression } from '../masks/nonMaxSuppression';
import type { BinaryMask, BoxXyxy, CompressedRle, MaskCandidate, UncompressedRle } from '../types';
import type { AmgRecord, RecordOptions } from './AmgRecord';
import { candidateRecord } from './candidateRecord';

export interface ToRecordsOptions extends RecordOptions {
  /**
   * Original image size; required when candidates were predicted in crops (their cropBox does not
   * start at 0,0 or their transform is the crop's), so masks can be placed in the whole image.
   */
  readonly imageSize?: { readonly width: number; readonly height: number };
  /** SAM's postprocess_small_regions: fill holes and remove islands below this area (px), then NMS. Default 0: off. */
  readonly minMaskRegionArea?: number;
  /** IoU threshold of the NMS after small-region cleanup (SAM: max(boxNmsThresh, cropNmsThresh)); default 0.7. */
  readonly smallRegionNmsThresh?: number;
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

  const record = (c: MaskCandidate, mask: BinaryMask, cropXyxy: BoxXyxy): AmgRecord => candidateRecord(c, { ...opts, outputMode: mode, mask, cropXyxy });

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
