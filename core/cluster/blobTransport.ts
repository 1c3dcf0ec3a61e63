import type { ObjectStore } from '@nats-io/obj';
import { SamflowError } from '../errors';
import { decodeWire, encodeWire, type WireMessage } from './wireFormat';

/** Room left in a message for NATS headers and the reference stub. */
const HEADROOM = 4096;

/**
 * A payload that fits `maxPayload` goes as it is; a larger one is put in the object store as
 * `name` and the message is a stub `{"ref": name, "bytes": n}` (wire format, empty body).
 */
export async function packPayload(payload: Uint8Array, name: string, maxPayload: number, store: () => Promise<ObjectStore>): Promise<{ data: Uint8Array; ref?: string }> {
  if (payload.length <= maxPayload - HEADROOM) return { data: payload };
  const os = await store();
  await os.putBlob({ name }, payload);
  return { data: encodeWire({ ref: name, bytes: payload.length }), ref: name };
}

/** The inverse of packPayload: a stub is fetched from the object store (and its size checked). */
export async function unpackPayload(data: Uint8Array, what: string, store: () => Promise<ObjectStore>, maxBytes: number): Promise<WireMessage & { ref?: string }> {
  const msg = decodeWire(data, what);
  const ref = msg.header.ref;
  if (typeof ref !== 'string') return msg;
  const bytes = msg.header.bytes;
  if (typeof bytes !== 'number' || !(bytes <= maxBytes)) {
    throw new SamflowError(
      'IMAGE_TOO_LARGE',
      `${what}: the payload in the object store is ${String(bytes)} bytes, above this side's limit of ${maxBytes}; raise maxPayloadBytes`,
      what,
    );
  }
  const os = await store();
  const blob = await os.getBlob(ref);
  if (!blob) throw new SamflowError('SOURCE_FAILED', `${what}: object "${ref}" is gone from the object store (expired or deleted); resubmit the job`, what);
  return { ...decodeWire(blob, what), ref };
}
