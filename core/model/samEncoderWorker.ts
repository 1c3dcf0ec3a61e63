import * as ort from 'onnxruntime-node';
import { serveWorker } from '../worker/serveWorker';
import { buffersOf, ownFloat32, sharedCopy } from '../worker/workerProtocol';
import { embeddingOfOutputs, encoderOutputNames } from './encoderOutputs';
import { mapEmbedding } from './mapEmbedding';
import { openEncoder } from './samSessions';
import type { EncoderWorkerApi, EncoderWorkerInit, EncoderWorkerReady } from './samWorkerApi';

// Worker module: the SAM image encoder's session (started by HostedSamModel through WorkerHost).
serveWorker<EncoderWorkerApi, EncoderWorkerInit, EncoderWorkerReady>(async (init) => {
  const { session, io } = await openEncoder(init.file, init.spec, init.options);
  const s = init.spec.inputSize;
  const spec = { ...init.spec, encoder: io };
  const outputs = encoderOutputNames(spec);
  return {
    ready: { value: { io } },
    handlers: {
      async encode({ input }) {
        // in: float32[1,3,1024,1024] → out: the family's embedding tensors (sam1: float32[1,256,64,64])
        const out = await session.run({ [io.input]: new ort.Tensor('float32', input, [1, 3, s, s]) }, outputs);
        const embedding = mapEmbedding(embeddingOfOutputs(spec, out), ownFloat32);
        // and copies in SharedArrayBuffers, which the decoder workers read without further copies
        const shared = mapEmbedding(embedding, sharedCopy);
        return { value: { embedding, shared }, transfer: buffersOf(...Object.values(embedding.tensors).map((t) => t.data)) };
      },
    },
  };
});
