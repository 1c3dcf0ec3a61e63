import { ProtoWriter } from './protobufWire';

/** ONNX TensorProto.DataType of each onnxruntime tensor type. */
const ELEM_TYPES: Readonly<Record<string, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
};

/**
 * A ValueInfoProto. With only a name (a graph output whose type onnxruntime infers), or a tensor of
 * an onnxruntime type ('float32', 'int64', ...) and, optionally, fixed dims (number) or named
 * dynamic ones (string).
 */
export function onnxValueInfo(name: string, type?: string, dims?: ReadonlyArray<number | string>): Uint8Array {
  const w = new ProtoWriter().string(1, name);
  if (type === undefined) return w.finish();
  const elem = ELEM_TYPES[type];
  if (elem === undefined) throw new RangeError(`ONNX: no tensor element type for "${type}"`);
  const tensorType = new ProtoWriter().int(1, elem);
  if (dims) {
    const shape = new ProtoWriter();
    for (const d of dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
    tensorType.message(2, shape);
  }
  return w.message(2, new ProtoWriter().message(1, tensorType)).finish();
}
