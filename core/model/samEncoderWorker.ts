import * as ort from 'onnxruntime-node';
import { serveWorker } from '../worker/serveWorker';
import { buffersOf, ownFloat32, sharedCopy } from '../worker/workerProtocol';
import { openEncoder } from './samSessions';
import type { EncoderWorkerApi, EncoderWorkerInit, EncoderWorkerReady } from './samWorkerApi';

// Worker module: the SAM image encoder's session (started by HostedSamModel through WorkerHost).
serveWorker<EncoderWorkerApi, EncoderWorkerInit, EncoderWorkerReady>(async (init) => {
  const { session, io } = await openEncoder(init.file, init.spec, init.options);
  const s = init.spec.inputSize;
  return {
    ready: { value: { io } },
    handlers: {
      async encode({ input }) {
        // in: float32[1,3,1024,1024] → out: float32[1,256,64,64]
        const out = await session.run({ [io.input]: new ort.Tensor('float32', input, [1, 3, s, s]) }, [io.output]);
        const embedding = ownFloat32(out[io.output].data as Float32Array);
        // and a copy in a SharedArrayBuffer, which the decoder workers read without further copies
        return { value: { embedding, shared: sharedCopy(embedding) }, transfer: buffersOf(embedding) };
      },
    },
  };
});
