import { loadCocoDetector, type CocoDetector } from '../../core';

/**
 * The one place nodes get a COCO detector from (`loadCocoDetector`: centernet on tfjs, offline).
 * Tests swap `load` for a fake CocoDetector and restore it afterwards.
 */
export const detectorLoader: { load: () => Promise<CocoDetector> } = {
  load: () => loadCocoDetector(),
};
