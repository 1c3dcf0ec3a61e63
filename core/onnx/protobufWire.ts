/**
 * Just enough of the protobuf wire format to read and re-assemble ONNX models without a schema:
 * fields are read with their raw bytes, so what samflow does not understand is copied unchanged.
 */

/** One field of a protobuf message. */
export interface ProtoField {
  readonly field: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 */
  readonly wire: number;
  /** varint value (wire 0) */
  readonly varint: bigint;
  /** payload (wire 1, 2, 5) */
  readonly bytes: Uint8Array;
  /** the whole field as encoded: tag, length and payload */
  readonly raw: Uint8Array;
}

const EMPTY: Uint8Array = new Uint8Array(0);

function readVarint(b: Uint8Array, pos: number, what: string): [bigint, number] {
  // fast path: one or two bytes (tags, small lengths)
  const x0 = b[pos];
  if (x0 !== undefined && (x0 & 0x80) === 0) return [BigInt(x0), pos + 1];
  const x1 = b[pos + 1];
  if (x0 !== undefined && x1 !== undefined && (x1 & 0x80) === 0) return [BigInt((x0 & 0x7f) | (x1 << 7)), pos + 2];
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= b.length) throw new RangeError(`protobuf: ${what} runs past the end of the message`);
    const x = b[pos++];
    result |= BigInt(x & 0x7f) << shift;
    if ((x & 0x80) === 0) return [result, pos];
    shift += 7n;
    if (shift > 63n) throw new RangeError(`protobuf: ${what} is longer than 10 bytes`);
  }
}

/** The fields of one message, in order. Throws RangeError on bytes that are not a protobuf message. */
export function readProtoFields(b: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let pos = 0;
  while (pos < b.length) {
    const start = pos;
    const [tag, afterTag] = readVarint(b, pos, 'a field tag');
    pos = afterTag;
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    let varint = 0n;
    let bytes = EMPTY;
    if (wire === 0) {
      [varint, pos] = readVarint(b, pos, `field ${field}`);
    } else if (wire === 2) {
      const [len, afterLen] = readVarint(b, pos, `the length of field ${field}`);
      const end = afterLen + Number(len);
      if (end > b.length) throw new RangeError(`protobuf: field ${field} (${len} bytes) runs past the end of the message`);
      bytes = b.subarray(afterLen, end);
      pos = end;
    } else if (wire === 1 || wire === 5) {
      const end = pos + (wire === 1 ? 8 : 4);
      if (end > b.length) throw new RangeError(`protobuf: field ${field} runs past the end of the message`);
      bytes = b.subarray(pos, end);
      pos = end;
    } else {
      throw new RangeError(`protobuf: field ${field} has wire type ${wire}, which this reader does not handle`);
    }
    out.push({ field, wire, varint, bytes, raw: b.subarray(start, pos) });
  }
  return out;
}

/** Builds one protobuf message field by field. */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  private push(b: Uint8Array): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }

  private static varintBytes(v: number | bigint): Uint8Array {
    const out: number[] = [];
    let n = BigInt.asUintN(64, BigInt(v));
    do {
      let byte = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) byte |= 0x80;
      out.push(byte);
    } while (n > 0n);
    return Uint8Array.from(out);
  }

  /** A varint field (int32, int64, enum, bool). */
  int(field: number, v: number | bigint): this {
    return this.push(ProtoWriter.varintBytes(field << 3)).push(ProtoWriter.varintBytes(v));
  }

  /** A length-delimited field holding these bytes. */
  bytes(field: number, data: Uint8Array): this {
    return this.push(ProtoWriter.varintBytes((field << 3) | 2))
      .push(ProtoWriter.varintBytes(data.length))
      .push(data);
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, w: ProtoWriter): this {
    return this.bytes(field, w.finish());
  }

  /** Already encoded fields (e.g. ProtoField.raw), copied as they are. */
  raw(encoded: Uint8Array): this {
    return this.push(encoded);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let pos = 0;
    for (const p of this.parts) {
      out.set(p, pos);
      pos += p.length;
    }
    return out;
  }
}
