import { SamflowError } from '../../core';

/**
 * What sam-encoder puts on `msg.embedding`: a small handle to the embedding cached in the
 * sam-model config node (never the 4 MB tensor, which Node-RED would clone for every wire).
 */
export interface EmbeddingHandle {
  readonly modelId: string;
  readonly frameId: string;
  readonly width: number;
  readonly height: number;
}

/** Validates `msg.embedding`; the message says what to wire when it is missing. */
export function readEmbeddingHandle(value: unknown, nodeType: string): EmbeddingHandle {
  if (typeof value !== 'object' || value === null) {
    throw new SamflowError(
      'BAD_OPTION',
      `msg.embedding: missing. ${nodeType} needs the handle that sam-encoder sets; wire a sam-encoder (using the same sam-model) before this node.`,
      'msg.embedding',
    );
  }
  const h = value as Record<string, unknown>;
  if (typeof h.modelId !== 'string' || typeof h.frameId !== 'string' || typeof h.width !== 'number' || typeof h.height !== 'number') {
    throw new SamflowError(
      'BAD_OPTION',
      'msg.embedding: expected {modelId, frameId, width, height} as set by sam-encoder; the message was changed on the way. Keep msg.embedding as sam-encoder wrote it.',
      'msg.embedding',
    );
  }
  return { modelId: h.modelId, frameId: h.frameId, width: h.width, height: h.height };
}
