import { serveWorker } from '../worker/serveWorker';
import { buffersOf, ownFloat32 } from '../worker/workerProtocol';
import type { ClipTokens } from './ClipModel';
import { openClipTowers, type ClipTowerFiles } from './clipTowers';

export interface ClipWorkerInit {
  readonly files: ClipTowerFiles;
  readonly threads: number | undefined;
}
export type ClipWorkerApi = {
  /** → float32[batch, D] raw text embeddings */
  text: { args: { readonly tokens: ClipTokens }; result: { readonly embeds: Float32Array } };
  /** in: float32[batch,3,S,S] → float32[batch, D] raw image embeddings */
  vision: { args: { readonly pixels: Float32Array; readonly batch: number; readonly size: number }; result: { readonly embeds: Float32Array } };
};

// Worker module: the CLIP text and vision towers, started by loadClipModel through WorkerHost.
// (loadClipModel imports only the types above, which compile away.)
serveWorker<ClipWorkerApi, ClipWorkerInit, Record<string, never>>(async (init) => {
  const towers = await openClipTowers(init.files, init.threads);
  const reply = (a: Float32Array): { value: { embeds: Float32Array }; transfer: ArrayBuffer[] } => {
    const embeds = ownFloat32(a);
    return { value: { embeds }, transfer: buffersOf(embeds) };
  };
  return {
    ready: { value: {} },
    handlers: {
      text: async ({ tokens }) => reply(await towers.runText(tokens)),
      vision: async ({ pixels, batch, size }) => reply(await towers.runVision(pixels, batch, size)),
    },
  };
});
