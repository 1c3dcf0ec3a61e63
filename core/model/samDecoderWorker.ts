import { LruMap } from '../LruMap';
import { serveWorker } from '../worker/serveWorker';
import { buffersOf, isSharableArray, ownFloat32, sharedCopy } from '../worker/workerProtocol';
import type { ImageEmbedding } from '../types';
import { decoderFeedTensors, decoderOutputOf } from './decoderFeedTensors';
import { embeddingFeeds } from './embeddingFeeds';
import { decoderOutputNames } from './family/decoderOutputNames';
import { mapEmbedding } from './mapEmbedding';
import { openDecoder } from './samSessions';
import type { DecoderWorkerApi, DecoderWorkerInit, DecoderWorkerReady, SharedEmbedding, SharedTensor } from './samWorkerApi';

/** Embeddings whose copies (and image-stage results) this worker keeps. */
const CACHED_EMBEDDINGS = 4;

// Worker module: the SAM decoder (whole, or split into image and prompt stages), started by
// HostedSamModel through WorkerHost.
serveWorker<DecoderWorkerApi, DecoderWorkerInit, DecoderWorkerReady>(async (init) => {
  const { decoder, multimask } = await openDecoder(init.model, init.file, init.spec, init.options, init.split, init.multimask);
  const outputs = decoderOutputNames(init.spec);
  // onnxruntime takes no SharedArrayBuffer views: one copy per embedding, kept by id (the
  // OrtSamDecoder's image-stage cache is keyed by this object), none per prompt
  const embeddings = new LruMap<number, ImageEmbedding>(CACHED_EMBEDDINGS);
  const local = (e: SharedEmbedding): ImageEmbedding => {
    let a = embeddings.get(e.id);
    if (!a) {
      a = mapEmbedding(e.embedding, (d) => d.slice()); // e.g. float32[1,256,64,64] in this thread's memory
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
        const out = decoderOutputOf(init.spec, await decoder.run(e, decoderFeedTensors(init.spec, e, feeds), outputs, feeds.hasMaskInput[0] !== 0));
        const iouPredictions = ownFloat32(out.iouPredictions);
        const lowResMasks = ownFloat32(out.lowResMasks);
        return { value: { iouPredictions, lowResMasks, numMasks: out.numMasks }, transfer: buffersOf(iouPredictions, lowResMasks) };
      },
      async imageStage({ embedding }) {
        const e = local(embedding);
        const cutFeeds = await decoder.imageStage(e, embeddingFeeds(e));
        const cut: SharedTensor[] = Object.entries(cutFeeds).map(([name, t]) => {
          if (!isSharableArray(t.data)) throw new RangeError(`image stage output ${name} is ${t.type}, which cannot be shared`);
          return { name, type: t.type, dims: t.dims, data: sharedCopy(t.data) };
        });
        return { value: { cut } };
      },
    },
  };
});
