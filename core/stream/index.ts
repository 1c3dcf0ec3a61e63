/** Streams: frame sources, explicit backpressure, the embedding cache, tracking and zone events. */
export * from './SkippedItem';
export * from './StageStats';
export * from './withBackpressure';
export * from './fromRawFrames';
export * from './fromImageFiles';
export * from './fromFfmpeg';
export * from './fromMjpegHttp';
export * from './TrackTypes';
export * from './trackMasks';
export * from './zoneEvents';
