/** Automatic mask generation ("segment everything"): grids, crops, filters, NMS, records, edges, proposals, data engine. */
export * from './buildPointGrid';
export * from './generateCropBoxes';
export * from './isBoxNearCropEdge';
export * from '../masks/nonMaxSuppression';
export * from './AmgOptions';
export * from './filterPredictedIou';
export * from './filterStability';
export * from './lowResMaskBoxXyxy';
export * from './cropFrame';
export * from './CoverageSkipper';
export * from './generateMasksProgressive';
export * from './generateMasks';
export * from './generateEdgeMap';
export * from './generateProposals';
export * from './candidateBoxXyxy';
