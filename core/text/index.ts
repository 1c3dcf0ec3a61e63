/** Text prompts: CLIP (transformers.js tokenizer + ONNX towers) ranking candidate masks by a text. */
export * from './clipFiles';
export * from './clipPreprocessing';
export * from './ClipModel';
export * from './maskedCrop';
export * from './loadClipModel';
export * from './rankMasksByText';
