import type { BoxXywh, CompressedRle } from '../types';
import type { AnnotationState } from './AnnotationState';

export interface CocoImage {
  readonly id: number;
  readonly file_name: string;
  readonly width: number;
  readonly height: number;
}
export interface CocoAnnotation {
  readonly id: number;
  readonly image_id: number;
  readonly category_id: number;
  readonly segmentation: CompressedRle;
  readonly area: number;
  readonly bbox: BoxXywh;
  readonly iscrowd: 0;
  readonly score?: number;
}
export interface CocoCategory {
  readonly id: number;
  readonly name: string;
}
/** COCO instances JSON with RLE segmentations (what pycocotools' `COCO()` loads). */
export interface CocoInstances {
  readonly info: { readonly description: string; readonly date_created: string };
  readonly images: CocoImage[];
  readonly annotations: CocoAnnotation[];
  readonly categories: CocoCategory[];
}

/**
 * COCO instances JSON for a folder's annotation state. Images are every image that was opened or
 * marked done, in `order` (the folder listing) and then any left over; ids start at 1. Categories
 * follow `state.labels` (ids from 1); annotations keep each image's object order.
 */
export function stateToCoco(state: AnnotationState, order: readonly string[] = []): CocoInstances {
  const names = [
    ...order.filter((f) => state.images[f]),
    ...Object.keys(state.images)
      .filter((f) => !order.includes(f))
      .sort(),
  ];
  const labels = [...state.labels];
  for (const f of names) for (const o of state.images[f].objects) if (!labels.includes(o.label)) labels.push(o.label);
  const categories = labels.map((name, i) => ({ id: i + 1, name }));
  const images: CocoImage[] = [];
  const annotations: CocoAnnotation[] = [];
  names.forEach((file_name, i) => {
    const img = state.images[file_name];
    const image_id = i + 1;
    images.push({ id: image_id, file_name, width: img.width, height: img.height });
    for (const o of img.objects) {
      annotations.push({
        id: annotations.length + 1,
        image_id,
        category_id: labels.indexOf(o.label) + 1,
        segmentation: { size: [o.segmentation.size[0], o.segmentation.size[1]], counts: o.segmentation.counts },
        area: o.area,
        bbox: [o.bbox[0], o.bbox[1], o.bbox[2], o.bbox[3]],
        iscrowd: 0,
        ...(o.score !== undefined ? { score: o.score } : {}),
      });
    }
  });
  return {
    info: { description: 'samflow annotate (model-assisted)', date_created: new Date().toISOString() },
    images,
    annotations,
    categories,
  };
}
