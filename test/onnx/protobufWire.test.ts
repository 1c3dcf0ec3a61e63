import { describe, expect, it } from 'vitest';
import { ProtoWriter, readProtoFields } from '../../core/onnx/protobufWire';

describe('protobuf wire format', () => {
  it('writes varints as protobuf does (worked out by hand) and reads them back', () => {
    // field 1 = 150 → tag 0x08, varint 150 = 0x96 0x01 (the protobuf documentation's example)
    expect([...new ProtoWriter().int(1, 150).finish()]).toEqual([0x08, 0x96, 0x01]);
    // field 2 = "testing" → tag 0x12, length 7, bytes
    expect([...new ProtoWriter().string(2, 'testing').finish()]).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
    // int64 -1 is ten bytes: nine 0xff, then 0x01
    const minusOne = new ProtoWriter().int(3, -1).finish();
    expect([...minusOne]).toEqual([0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(BigInt.asIntN(64, readProtoFields(minusOne)[0].varint)).toBe(-1n);
  });

  it('reads nested messages field by field and keeps each field’s raw bytes', () => {
    const inner = new ProtoWriter().int(1, 7).string(2, 'x');
    const bytes = new ProtoWriter()
      .int(1, 300)
      .message(5, inner)
      .int(9, 2n ** 40n)
      .finish();
    const fields = readProtoFields(bytes);
    expect(fields.map((f) => [f.field, f.wire])).toEqual([
      [1, 0],
      [5, 2],
      [9, 0],
    ]);
    expect(fields[0].varint).toBe(300n);
    expect(fields[2].varint).toBe(2n ** 40n);
    const nested = readProtoFields(fields[1].bytes);
    expect(nested[0].varint).toBe(7n);
    expect(new TextDecoder().decode(nested[1].bytes)).toBe('x');
    // raw fields re-assemble the same message
    const again = new ProtoWriter();
    for (const f of fields) again.raw(f.raw);
    expect([...again.finish()]).toEqual([...bytes]);
  });

  it('reads fixed32 and fixed64 fields', () => {
    // field 2, wire 5: tag 0x15; field 3, wire 1: tag 0x19
    const bytes = Uint8Array.from([0x15, 1, 2, 3, 4, 0x19, 1, 2, 3, 4, 5, 6, 7, 8]);
    const fields = readProtoFields(bytes);
    expect(fields.map((f) => [f.field, f.wire, [...f.bytes]])).toEqual([
      [2, 5, [1, 2, 3, 4]],
      [3, 1, [1, 2, 3, 4, 5, 6, 7, 8]],
    ]);
  });

  it('refuses bytes that are not a protobuf message, saying what ran out', () => {
    expect(() => readProtoFields(Uint8Array.from([0x12, 0x05, 0x61]))).toThrow(/field 2 \(5 bytes\) runs past the end/);
    expect(() => readProtoFields(Uint8Array.from([0x08, 0x96]))).toThrow(/field 1 runs past the end/);
    expect(() => readProtoFields(Uint8Array.from([0x0b]))).toThrow(/wire type 3/);
  });
});
