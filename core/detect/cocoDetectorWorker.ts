import { serveWorker } from '../worker/serveWorker';
import { buffersOf, ownFloat32 } from '../worker/workerProtocol';
import { openCocoGraphModel } from './cocoGraphModel';
import type { DetectorBackend } from './Detection';

export interface CocoDetectorWorkerInit {
  readonly backend: DetectorBackend;
  readonly modelPath: string;
}
export interface CocoDetectorWorkerReady {
  readonly inputSize: number;
}
export type CocoDetectorWorkerApi = {
  /** in: float32[1,S,S,3] letterboxed → out: float32[1,100,6] raw detections */
  detect: { args: { readonly input: Float32Array }; result: { readonly raw: Float32Array } };
};

// Worker module: the COCO detector's tfjs graph model, started by loadCocoDetector through WorkerHost.
// (loadCocoDetector imports only the types above, which compile away.)
serveWorker<CocoDetectorWorkerApi, CocoDetectorWorkerInit, CocoDetectorWorkerReady>(async (init) => {
  const model = await openCocoGraphModel(init.backend, init.modelPath);
  return {
    ready: { value: { inputSize: model.inputSize } },
    handlers: {
      async detect({ input }) {
        const raw = ownFloat32(await model.run(input));
        return { value: { raw }, transfer: buffersOf(raw) };
      },
    },
  };
});
