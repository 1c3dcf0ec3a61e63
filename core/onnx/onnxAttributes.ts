import { ProtoWriter, readProtoFields } from './protobufWire';
import type { OnnxNode } from './readOnnxModel';

// field numbers from onnx.proto: NodeProto.attribute = 5; AttributeProto{name=1, f=2, i=3, ints=8, type=20}
const NODE_ATTRIBUTE = 5;
const ATTR = { name: 1, f: 2, i: 3, ints: 8, type: 20 } as const;
const ATTR_INT = 2;

/** One attribute of a node: its name, the int / ints / float it holds, and its encoded AttributeProto. */
export interface OnnxAttribute {
  readonly name: string;
  readonly i?: number;
  readonly ints: readonly number[];
  readonly f?: number;
  readonly encoded: Uint8Array;
}

/** A node's attributes by name (ints and floats decoded; the rest only as bytes). */
export function onnxAttributes(node: OnnxNode): Map<string, OnnxAttribute> {
  const out = new Map<string, OnnxAttribute>();
  for (const field of readProtoFields(node.encoded)) {
    if (field.field !== NODE_ATTRIBUTE || field.wire !== 2) continue;
    let name = '';
    let i: number | undefined;
    let f: number | undefined;
    const ints: number[] = [];
    for (const a of readProtoFields(field.bytes)) {
      if (a.field === ATTR.name && a.wire === 2) name = new TextDecoder().decode(a.bytes);
      else if (a.field === ATTR.i && a.wire === 0) i = Number(BigInt.asIntN(64, a.varint));
      else if (a.field === ATTR.f && a.wire === 5) f = new DataView(a.bytes.buffer, a.bytes.byteOffset, 4).getFloat32(0, true);
      else if (a.field === ATTR.ints && a.wire === 0) ints.push(Number(BigInt.asIntN(64, a.varint)));
      else if (a.field === ATTR.ints && a.wire === 2) for (const x of readProtoFields(prefixPacked(a.bytes))) ints.push(Number(BigInt.asIntN(64, x.varint)));
    }
    out.set(name, { name, ints, encoded: field.bytes, ...(i !== undefined ? { i } : {}), ...(f !== undefined ? { f } : {}) });
  }
  return out;
}

/** Packed varints re-read as a run of field-1 varints (so readProtoFields decodes them). */
function prefixPacked(b: Uint8Array): Uint8Array {
  const w = new ProtoWriter();
  let start = 0;
  for (let k = 0; k < b.length; k++) {
    if ((b[k] & 0x80) === 0) {
      w.raw(Uint8Array.of(0x08)).raw(b.subarray(start, k + 1));
      start = k + 1;
    }
  }
  return w.finish();
}

/** An encoded INT AttributeProto, e.g. Cast's `to`. */
export function onnxIntAttribute(name: string, value: number): Uint8Array {
  return new ProtoWriter().string(ATTR.name, name).int(ATTR.i, value).int(ATTR.type, ATTR_INT).finish();
}
