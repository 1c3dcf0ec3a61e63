import * as path from 'node:path';
import { SamflowError } from '../errors';
import type { Frame } from '../types';
import { WorkerHost } from '../worker/WorkerHost';
import { buffersOf, ownFloat32 } from '../worker/workerProtocol';
import { chooseDetectorBackend, nodeModuleResolver, type DetectorBackendRequest, type ModuleResolver } from './chooseDetectorBackend';
import { openCocoGraphModel, type CocoGraphModel } from './cocoGraphModel';
import type { CocoDetectorWorkerApi, CocoDetectorWorkerInit, CocoDetectorWorkerReady } from './cocoDetectorWorker';
import type { CocoDetector, DetectOptions, Detection } from './Detection';
import { letterboxFrame } from './letterbox';
import { rawDetectionsToDetections } from './rawDetectionsToDetections';
import { validateDetectOptions } from './validateDetectOptions';

export interface LoadCocoDetectorOptions {
  /** A tfjs graph-model JSON with the centernet signature; default: `models/centernet.json` of @vladmandic/human. */
  readonly modelPath?: string;
  /** Default 'auto': @tensorflow/tfjs-node when installed, else wasm. */
  readonly backend?: DetectorBackendRequest;
  /** For tests: how to look up optional modules. */
  readonly resolveModule?: ModuleResolver;
  /**
   * Run tfjs on the calling thread (for measurements). Default false: the model runs on a worker
   * thread, so the event loop stays live during a detection.
   */
  readonly inProcess?: boolean;
}

/** Where the centernet COCO model shipped inside @vladmandic/human@3 lives on disk. */
export function defaultCocoDetectorPath(resolve: ModuleResolver = nodeModuleResolver): string {
  const main = resolve('@vladmandic/human');
  if (main === undefined) {
    throw new SamflowError(
      'MODEL_NOT_FOUND',
      'COCO detector: @vladmandic/human is not installed, so its models/centernet.json cannot be found; run `npm install @vladmandic/human@3.3.6` or pass modelPath',
    );
  }
  // main is <pkg>/dist/human.node.js
  return path.resolve(path.dirname(main), '..', 'models', 'centernet.json');
}

/**
 * Loads the offline COCO-80 detector (MB3-CenterNet from @vladmandic/human, tfjs graph model)
 * from disk. `detect(frame)` letterboxes the frame to the model's square input, runs it, maps the
 * boxes back to original pixels, names the classes, applies the score threshold and NMS, and
 * returns coco-ssd style detections (`{bbox:[x,y,w,h], class, score}`), best first. tfjs runs on a
 * worker thread (unless `inProcess`); `release()` ends it.
 */
export async function loadCocoDetector(opts: LoadCocoDetectorOptions = {}): Promise<CocoDetector> {
  const resolve = opts.resolveModule ?? nodeModuleResolver;
  const backend = chooseDetectorBackend(opts.backend ?? 'auto', resolve);
  const modelPath = path.resolve(opts.modelPath ?? defaultCocoDetectorPath(resolve));
  const model = opts.inProcess ? await openCocoGraphModel(backend, modelPath) : await hostedGraphModel(backend, modelPath);
  const inputSize = model.inputSize;
  let released = false;

  return {
    backend,
    get released() {
      return released;
    },
    async detect(frame: Frame, detectOpts?: DetectOptions): Promise<Detection[]> {
      if (released) throw new SamflowError('MODEL_RELEASED', 'COCO detector: detect() called after release(); load a new detector');
      const resolved = validateDetectOptions(detectOpts);
      if (!frame || !(frame.width > 0) || !(frame.height > 0) || !(frame.rgb instanceof Uint8Array) || frame.rgb.length !== frame.width * frame.height * 3) {
        throw new SamflowError('BAD_IMAGE', 'COCO detector: frame must be a decoded Frame {width, height, rgb: Uint8Array of width*height*3}; decode it with decodeImage first');
      }
      const lb = await letterboxFrame(frame, inputSize);
      const data = await model.run(lb.input); // float32[1,100,6]
      return rawDetectionsToDetections(data, lb.scale, frame.width, frame.height, resolved);
    },
    async release() {
      if (released) return;
      released = true;
      model.dispose();
    },
  };
}

/** The graph model on a worker thread (cocoDetectorWorker), behind the same run/dispose. */
async function hostedGraphModel(backend: CocoDetectorWorkerInit['backend'], modelPath: string): Promise<Omit<CocoGraphModel, 'dispose'> & { dispose(): Promise<void> }> {
  const { host, ready } = await WorkerHost.start<CocoDetectorWorkerApi, CocoDetectorWorkerInit, CocoDetectorWorkerReady>({
    module: 'core/detect/cocoDetectorWorker',
    init: { backend, modelPath },
    label: `COCO detector ${modelPath}`,
  });
  return {
    inputSize: ready.inputSize,
    // the letterboxed input is ours: moved, not copied
    run: async (input) => {
      const own = ownFloat32(input);
      return (await host.call('detect', { input: own }, buffersOf(own))).raw;
    },
    dispose: () => host.terminate(),
  };
}
