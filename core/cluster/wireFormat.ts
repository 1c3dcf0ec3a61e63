import { SamflowError } from '../errors';

/**
 * samflow's cluster wire format, version 1: one NATS message payload =
 *
 * ```
 * offset 0   4 bytes  magic "SAMF" (0x53 0x41 0x4d 0x46)
 * offset 4   1 byte   version (1)
 * offset 5   4 bytes  header length H, unsigned 32-bit big-endian
 * offset 9   H bytes  header: UTF-8 JSON object (a SamJobHeader or a SamResultHeader)
 * offset 9+H rest     body: raw bytes (a job's encoded image file, an edges result's PNG; may be empty)
 * ```
 *
 * The header says what the body is (`body: 'image' | 'png' | 'none'`) or, when the bytes did not fit
 * the server's max_payload, where they are (`bodyRef`: an object-store name). A reader rejects an
 * unknown magic or a newer version with a SamflowError('BAD_OPTION') naming the subject; fields it
 * does not know are ignored (additive changes keep version 1). See docs/cluster-wire-format.md.
 */
export const WIRE_MAGIC = 'SAMF';
export const WIRE_VERSION = 1;
const PREFIX = 9;
/** Headers above this are refused before parsing (a job header is prompts + options, a result header records). */
export const MAX_HEADER_BYTES = 64 * 1024 * 1024;

export interface WireMessage {
  readonly header: Record<string, unknown>;
  readonly body: Uint8Array;
}

/** Header JSON + body → one payload. */
export function encodeWire(header: object, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = new Uint8Array(PREFIX + json.length + body.length);
  out.set(Buffer.from(WIRE_MAGIC, 'ascii'), 0);
  out[4] = WIRE_VERSION;
  new DataView(out.buffer).setUint32(5, json.length, false);
  out.set(json, PREFIX);
  out.set(body, PREFIX + json.length);
  return out;
}

/** One payload → header object + body (a view, not a copy). `what` names the message in errors. */
export function decodeWire(data: Uint8Array, what: string): WireMessage {
  const bad = (why: string): SamflowError => new SamflowError('BAD_OPTION', `${what}: not a samflow cluster message (${why}); is something else publishing on this subject?`, what);
  if (data.length < PREFIX) throw bad(`${data.length} bytes, shorter than the ${PREFIX}-byte prefix`);
  if (Buffer.from(data.buffer, data.byteOffset, 4).toString('ascii') !== WIRE_MAGIC) throw bad('no "SAMF" magic');
  const version = data[4];
  if (version !== WIRE_VERSION) {
    throw new SamflowError(
      'BAD_OPTION',
      `${what}: wire format version ${version}, this samflow reads version ${WIRE_VERSION}; run the same samflow version on clients and workers`,
      what,
    );
  }
  const len = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(5, false);
  if (len > MAX_HEADER_BYTES || PREFIX + len > data.length) throw bad(`header length ${len} does not fit the ${data.length}-byte message`);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(data.buffer, data.byteOffset + PREFIX, len).toString('utf8'));
  } catch (e) {
    throw bad(`header is not JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad('header is not a JSON object');
  return { header: header as Record<string, unknown>, body: data.subarray(PREFIX + len) };
}
