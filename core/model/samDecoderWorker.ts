import { LruMap } from '../LruMap';
import { serveWorker } from '../worker/serveWorker';
import { buffersOf, isSharableArray, ownFloat32, sharedCopy } from '../worker/workerProtocol';
import { decoderFeedTensors, decoderOutputOf } from './decoderFeedTensors';
import { decoderOutputNames, openDecoder } from './samSessions';
import type { DecoderWorkerApi, DecoderWorkerInit, DecoderWorkerReady, SharedEmbedding, SharedTensor } from './samWorkerApi';

/** Embeddings whose copies (and image-stage results) this worker keeps. */
const CACHED_EMBEDDINGS = 4;

// Worker module: the SAM decoder (whole, or split into image and prompt stages), started by
// HostedSamModel through WorkerHost.
serveWorker<DecoderWorkerApi, DecoderWorkerInit, DecoderWorkerReady>(async (init) => {
  const { decoder, multimask } = await openDecoder(init.model, init.file, init.spec, init.options, init.split, init.multimask);
  const outputs = decoderOutputNames(init.spec);
  // onnxruntime takes no SharedArrayBuffer views: one copy per embedding, kept by id (the
  // OrtSamDecoder's image-stage cache is keyed by this array), none per prompt
  const embeddings = new LruMap<number, Float32Array>(CACHED_EMBEDDINGS);
  const local = (e: SharedEmbedding): Float32Array => {
    let a = embeddings.get(e.id);
    if (!a) {
      a = e.data.slice(); // float32[1,256,64,64] in this thread's memory
      embeddings.set(e.id, a);
    }
    return a;
  };
  const wantStage = init.wantPromptStage && decoder.isSplit && decoder.promptStageModel;
  return {
    ready: { value: wantStage ? { split: true, multimask, promptStage: decoder.promptStageModel } : { split: decoder.isSplit, multimask } },
    handlers: {
      async run({ embedding, feeds }) {
        const e = local(embedding);
        const out = decoderOutputOf(init.spec, await decoder.run(e, decoderFeedTensors(init.spec, e, feeds), outputs));
        const iouPredictions = ownFloat32(out.iouPredictions);
        const lowResMasks = ownFloat32(out.lowResMasks);
        return { value: { iouPredictions, lowResMasks, numMasks: out.numMasks }, transfer: buffersOf(iouPredictions, lowResMasks) };
      },
      async imageStage({ embedding }) {
        const e = local(embedding);
        const cutFeeds = await decoder.imageStage(e, decoderFeedTensors(init.spec, e, placeholderFeeds));
        const cut: SharedTensor[] = Object.entries(cutFeeds).map(([name, t]) => {
          if (!isSharableArray(t.data)) throw new RangeError(`image stage output ${name} is ${t.type}, which cannot be shared`);
          return { name, type: t.type, dims: t.dims, data: sharedCopy(t.data) };
        });
        return { value: { cut } };
      },
    },
  };
});

/** Prompt feeds for the image stage, which reads only the embedding and the (absent) mask input. */
const placeholderFeeds = {
  pointCoords: new Float32Array(2), // float32[1,1,2]
  pointLabels: new Float32Array([-1]), // float32[1,1]
  numPoints: 1,
  maskInput: new Float32Array(256 * 256), // float32[1,1,256,256]
  hasMaskInput: new Float32Array([0]), // float32[1]
  origImSize: new Float32Array([1024, 1024]), // float32[2]
};
