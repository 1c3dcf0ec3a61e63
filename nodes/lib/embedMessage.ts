import { decodeImage, EmbeddingCache, type SamModel, type EmbeddedFrame } from '../../core';
import type { NodeMessage } from '../red';
import type { EmbeddingHandle } from './EmbeddingHandle';
import { imageFromMessage } from './imageFromMessage';
import type { ModelRuntime } from './ModelRuntime';

/**
 * The embedding of the image a message carries: the cached one when `msg.embedding` (or the image's
 * frame id) is already in the model's cache, else decode msg.payload and encode it (stored in the
 * cache). Sets `msg.embedding` to the handle. Call inside `runtime.run`.
 */
export async function embedMessage(runtime: ModelRuntime, model: SamModel, msg: NodeMessage): Promise<EmbeddedFrame> {
  const h = msg.embedding as Partial<EmbeddingHandle> | undefined;
  let embedded = typeof h?.frameId === 'string' && h.modelId === model.id ? runtime.embeddings.get(EmbeddingCache.keyOf(model.id, h.frameId)) : undefined;
  if (!embedded) {
    const { input, frameId } = imageFromMessage(msg.payload, msg.frameId);
    embedded = runtime.embeddings.get(EmbeddingCache.keyOf(model.id, frameId));
    if (!embedded) embedded = await runtime.embeddings.getOrEncode(model, await decodeImage(input, { id: frameId }));
  }
  const handle: EmbeddingHandle = { modelId: embedded.modelId, frameId: embedded.frame.id, width: embedded.frame.width, height: embedded.frame.height };
  msg.embedding = handle;
  return embedded;
}
