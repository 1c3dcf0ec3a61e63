import type { BoxXywh, Frame } from '../types';

/**
 * One detected object in the coco-ssd format (what `@tensorflow-models/coco-ssd` and
 * node-red-contrib-tfjs-coco-ssd emit): `bbox` is [x, y, w, h] in original-image pixels.
 */
export interface Detection {
  readonly bbox: BoxXywh;
  readonly class: string;
  readonly score: number;
}

/** Per-call options of `CocoDetector.detect`. */
export interface DetectOptions {
  /**
   * Keep detections scoring at least this (0–1). Default 0.15: the centernet model scores low
   * (the three COCO-2017 cats in our data score 0.19, 0.37 and 0.54); raise it when listing every class.
   */
  readonly minScore?: number;
  /** Keep only these COCO class names (e.g. ['cat', 'dog']); every class when absent. */
  readonly classes?: readonly string[];
  /** At most this many detections, best first. Default 20. */
  readonly maxDetections?: number;
  /** Non-maximum suppression IoU threshold (class-agnostic: a cat also called "dog" yields one box). Default 0.5. */
  readonly iouThresh?: number;
}

/** Which tfjs backend runs the detector: tfjs-node (native, when the user installed it), wasm, or pure-JS cpu. */
export type DetectorBackend = 'tfjs-node' | 'wasm' | 'cpu';

/** A loaded COCO detector. Release it when done (frees the graph model's weights). */
export interface CocoDetector {
  /** Detections in original-image pixels, best score first. */
  detect(frame: Frame, opts?: DetectOptions): Promise<Detection[]>;
  /** The tfjs backend actually in use. */
  readonly backend: DetectorBackend;
  /** Frees the model and ends its worker thread. */
  release(): Promise<void>;
  readonly released: boolean;
}
