export * from './cocoClasses';
export * from './Detection';
export * from './letterbox';
export * from './nmsDetections';
export * from './validateDetectOptions';
export * from './rawDetectionsToDetections';
export * from './chooseDetectorBackend';
export * from './loadCocoDetector';
// boxesToPrompts lives with the prompt stages; re-exported here for detector users.
export * from '../prompts/boxesToPrompts';
export * from './segmentInstances';
