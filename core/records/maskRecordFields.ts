import { compressRle } from '../masks/compressRle';
import { maskArea } from '../masks/maskArea';
import { maskToBoxXywh } from '../masks/maskToBoxXywh';
import { maskToRle } from '../masks/maskToRle';
import type { BinaryMask, BoxXywh, CompressedRle, UncompressedRle } from '../types';
import type { AmgSegmentation, RecordOutputMode } from './AmgRecord';

/** The mask part of an SA-1B record. */
export interface MaskRecordFields<S extends AmgSegmentation = AmgSegmentation> {
  readonly segmentation: S;
  readonly area: number;
  /** The mask's box [x, y, w, h] (SA-1B convention; [0, 0, 0, 0] for an empty mask). */
  readonly bbox: BoxXywh;
}

/**
 * The mask fields every record carries — `segmentation` in SAM's output mode (COCO RLE by
 * default), `area` and `bbox` (XYWH) — from a mask in original-image pixels. Every record builder
 * (AMG records, CLI output, instances, the annotation page) writes these through here.
 */
export function maskRecordFields(mask: BinaryMask, outputMode?: 'coco_rle'): MaskRecordFields<CompressedRle>;
export function maskRecordFields(mask: BinaryMask, outputMode: 'uncompressed_rle'): MaskRecordFields<UncompressedRle>;
export function maskRecordFields(mask: BinaryMask, outputMode: 'binary_mask'): MaskRecordFields<BinaryMask>;
export function maskRecordFields(mask: BinaryMask, outputMode?: RecordOutputMode): MaskRecordFields;
export function maskRecordFields(mask: BinaryMask, outputMode: RecordOutputMode = 'coco_rle'): MaskRecordFields {
  const segmentation: AmgSegmentation = outputMode === 'binary_mask' ? mask : outputMode === 'uncompressed_rle' ? maskToRle(mask) : compressRle(maskToRle(mask));
  return { segmentation, area: maskArea(mask), bbox: maskToBoxXywh(mask) };
}
