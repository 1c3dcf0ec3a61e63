import * as ort from 'onnxruntime-node';
import { LruMap } from '../LruMap';
import { serveWorker } from '../worker/serveWorker';
import { buffersOf, ownFloat32 } from '../worker/workerProtocol';
import { decoderFeedTensors, decoderOutputOf } from './decoderFeedTensors';
import { decoderOutputNames } from './family/decoderOutputNames';
import { pickFeeds } from './pickFeeds';
import { createSession } from './samSessions';
import type { PromptWorkerApi, PromptWorkerInit, SharedTensor } from './samWorkerApi';

/** Embeddings whose image-stage tensors this worker keeps a copy of. */
const CACHED_CUTS = 2;

// Worker module: one session on the decoder's prompt stage (decoderWorkers), started by
// HostedSamModel through WorkerHost. Several of these run the prompts of one embedding in parallel.
serveWorker<PromptWorkerApi, PromptWorkerInit, Record<string, never>>(async (init) => {
  const session = await createSession(init.model, 'decoder prompt stage', init.spec.id, init.options);
  const outputs = decoderOutputNames(init.spec);
  // onnxruntime takes no SharedArrayBuffer views: one copy per embedding, none per prompt
  const cuts = new LruMap<number, Record<string, ort.Tensor>>(CACHED_CUTS);
  const local = (id: number, cut: readonly SharedTensor[]): Record<string, ort.Tensor> => {
    let feeds = cuts.get(id);
    if (!feeds) {
      feeds = {};
      for (const t of cut) feeds[t.name] = new ort.Tensor(t.type, t.data.slice(), t.dims);
      cuts.set(id, feeds);
    }
    return feeds;
  };
  return {
    ready: { value: {} },
    handlers: {
      async run({ cutId, cut, feeds }) {
        const all = { ...decoderFeedTensors(init.spec, undefined, feeds), ...local(cutId, cut) };
        const out = decoderOutputOf(init.spec, await session.run(pickFeeds(session, all, 'prompt stage'), outputs));
        const iouPredictions = ownFloat32(out.iouPredictions);
        const lowResMasks = ownFloat32(out.lowResMasks);
        return { value: { iouPredictions, lowResMasks, numMasks: out.numMasks }, transfer: buffersOf(iouPredictions, lowResMasks) };
      },
    },
  };
});
