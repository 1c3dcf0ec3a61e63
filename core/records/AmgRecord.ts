import type { MaskToPolygonsOptions, Polygon } from '../masks/maskToPolygons';
import type { BinaryMask, CompressedRle, MaskRecord, UncompressedRle } from '../types';

/** A record's segmentation in any of SAM's output modes. */
export type AmgSegmentation = CompressedRle | UncompressedRle | BinaryMask;

/** SAM's `output_mode`: how a record's `segmentation` is written. */
export type RecordOutputMode = 'coco_rle' | 'uncompressed_rle' | 'binary_mask';

/** An SA-1B record, plus polygons when asked for. */
export interface AmgRecord<S extends AmgSegmentation = AmgSegmentation> extends MaskRecord<S> {
  readonly polygons?: Polygon[];
}

/** How one candidate's record is written (see candidateRecord / toRecords). */
export interface RecordOptions {
  /** 'coco_rle' (default), 'uncompressed_rle' or 'binary_mask'. */
  readonly outputMode?: RecordOutputMode;
  /** Add polygons (true: tolerance 1 px; or maskToPolygons options). */
  readonly polygons?: boolean | MaskToPolygonsOptions;
  /** Stability offset used when a candidate carries no stabilityScore yet (default 1). */
  readonly stabilityScoreOffset?: number;
}

/** Type guard: a COCO RLE with compressed counts. */
export function isCompressedRle(s: AmgSegmentation): s is CompressedRle {
  return 'counts' in s && typeof s.counts === 'string';
}
