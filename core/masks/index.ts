/** Mask utilities: COCO RLE, area, boxes, IoU, PNG, stability, small regions, polygons. */
export * from './lowResToMask';
export * from './assertBinaryMask';
export * from './maskToRle';
export * from './compressRle';
export * from './decompressRle';
export * from './toUncompressedRle';
export * from './rleToMask';
export * from './rleArea';
export * from './rleToBoxXywh';
export * from './maskArea';
export * from './maskToBoxXywh';
export * from './maskIntersection';
export * from './maskIou';
