export * from './SkippedItem';
export * from './StageStats';
export * from './withBackpressure';
export * from './EmbeddingCache';
