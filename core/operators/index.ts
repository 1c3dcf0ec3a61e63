/** RxJS operators, one per file; exported as the namespace `operators` (see operators.ts). */
export * as operators from './operators';
export type { PromptBatch } from './PromptBatch';
export type { DecodeImageOperatorOptions } from './decodeImage';
export type { EncodeImageOperatorOptions } from './encodeImage';
export type { DecodeMasksOperatorOptions } from './decodeMasks';
export type { GridPromptsOptions } from './gridPrompts';
export type { FilterStabilityOptions } from './filterStability';
export type { DetectionsOnFrame, BoxesToPromptsOperatorOptions } from './boxesToPrompts';
export type { ToRecordsOperatorOptions } from './toRecords';
export type { OverlayInput, RenderedOverlay, RenderOverlayOperatorOptions } from './renderOverlay';
export type { SegmentEverythingOptions, FrameRecords } from './segmentEverything';
export type { InstanceDetector, InstanceMasksOptions, FrameInstances } from './instanceMasks';
export type { ClusterJobsOptions } from './clusterJobs';
