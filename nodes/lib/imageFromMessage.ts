import { createHash } from 'node:crypto';
import { SamflowError, type ImageInput, type RawFrame } from '../../core';

/** The image a message carries plus the id its embedding is cached under. */
export interface MessageImage {
  readonly input: ImageInput;
  readonly frameId: string;
}

function isRawFrame(v: unknown): v is RawFrame {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return r.data instanceof Uint8Array && typeof r.width === 'number' && typeof r.height === 'number' && (r.channels === 1 || r.channels === 3 || r.channels === 4);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object without image data' : `a ${typeof v}`;
}

function hashId(bytes: Uint8Array, extra = ''): string {
  return 'sha1:' + createHash('sha1').update(bytes).update(extra).digest('hex').slice(0, 20);
}

/**
 * Reads the image from `msg.payload`: encoded bytes (Buffer: PNG, JPEG, WebP, ...), a file path, or a
 * raw frame `{data, width, height, channels}`. The frame id is `msg.frameId` when set, else the path,
 * else a content hash, so sending the same image twice reuses its cached embedding.
 */
export function imageFromMessage(payload: unknown, frameId: unknown): MessageImage {
  if (frameId !== undefined && (typeof frameId !== 'string' || frameId === '')) {
    throw new SamflowError('BAD_IMAGE', `msg.frameId: expected a non-empty string, got ${describe(frameId)}. Remove it to let samflow derive an id from the image.`, 'msg.frameId');
  }
  const explicitId = frameId;
  if (Buffer.isBuffer(payload) || payload instanceof Uint8Array) {
    if (payload.length === 0) {
      throw new SamflowError(
        'BAD_IMAGE',
        'msg.payload: the image Buffer is empty. Send encoded image bytes (PNG, JPEG, WebP), a file path or a raw frame {data, width, height, channels}.',
        'msg.payload',
      );
    }
    return { input: payload, frameId: explicitId ?? hashId(payload) };
  }
  if (typeof payload === 'string') {
    if (payload.trim() === '') {
      throw new SamflowError('BAD_IMAGE', 'msg.payload: the file path is empty. Send an image file path, encoded image bytes or a raw frame.', 'msg.payload');
    }
    return { input: payload, frameId: explicitId ?? `file:${payload}` };
  }
  if (isRawFrame(payload)) {
    return { input: payload, frameId: explicitId ?? payload.id ?? hashId(payload.data, `${payload.width}x${payload.height}x${payload.channels}`) };
  }
  throw new SamflowError(
    'BAD_IMAGE',
    `msg.payload: expected an image (Buffer with PNG/JPEG/WebP bytes, a file path string, or a raw frame {data: Uint8Array, width, height, channels}), got ${describe(payload)}.`,
    'msg.payload',
  );
}
