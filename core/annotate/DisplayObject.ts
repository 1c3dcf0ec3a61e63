import type { CompressedRle } from '../types';
import type { AnnotatedObject, AnnotationSource } from './AnnotationState';

/** An accepted object as the page draws it. */
export interface DisplayObject {
  readonly id: number;
  readonly label: string;
  readonly rle: CompressedRle;
  readonly area: number;
  readonly bbox: readonly number[];
  readonly score?: number;
  readonly source: AnnotationSource;
}

/** The page's view of a saved object. */
export function toDisplayObject(o: AnnotatedObject): DisplayObject {
  return {
    id: o.id,
    label: o.label,
    rle: o.segmentation,
    area: o.area,
    bbox: [...o.bbox],
    ...(o.score !== undefined ? { score: o.score } : {}),
    source: o.source,
  };
}
