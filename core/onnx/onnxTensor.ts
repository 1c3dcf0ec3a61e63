import { ProtoWriter, readProtoFields } from './protobufWire';

/** ONNX TensorProto.DataType codes samflow reads or writes. */
export const TENSOR_FLOAT = 1;
export const TENSOR_UINT8 = 2;
export const TENSOR_INT8 = 3;
export const TENSOR_INT32 = 6;
export const TENSOR_INT64 = 7;

// TensorProto field numbers from onnx.proto
const TENSOR = { dims: 1, dataType: 2, floatData: 4, name: 8, rawData: 9, externalData: 13, dataLocation: 14 } as const;

/** What a TensorProto holds, its data as little-endian bytes. */
export interface OnnxTensor {
  readonly name: string;
  readonly dataType: number;
  readonly dims: readonly number[];
  /** raw_data, or the packed float_data of a float tensor; undefined for data kept in an external file. */
  readonly raw?: Uint8Array;
}

/** Reads a TensorProto's name, type, dims and data (raw_data or float_data). */
export function readOnnxTensor(bytes: Uint8Array): OnnxTensor {
  const fields = readProtoFields(bytes);
  const dims: number[] = [];
  let name = '';
  let dataType = 0;
  let raw: Uint8Array | undefined;
  const floats: Uint8Array[] = [];
  let external = false;
  for (const f of fields) {
    if (f.field === TENSOR.dims) {
      if (f.wire === 0) dims.push(Number(f.varint));
      else for (const d of readPackedVarints(f.bytes)) dims.push(d);
    } else if (f.field === TENSOR.dataType && f.wire === 0) dataType = Number(f.varint);
    else if (f.field === TENSOR.name && f.wire === 2) name = new TextDecoder().decode(f.bytes);
    else if (f.field === TENSOR.rawData && f.wire === 2) raw = f.bytes;
    else if (f.field === TENSOR.floatData)
      floats.push(f.bytes); // packed (wire 2) or one fixed32 (wire 5)
    else if (f.field === TENSOR.dataLocation && f.wire === 0 && f.varint === 1n) external = true;
  }
  if (raw === undefined && floats.length > 0 && dataType === TENSOR_FLOAT) raw = concat(floats);
  const count = dims.reduce((a, b) => a * b, 1);
  if (raw === undefined && !external && count === 0) raw = new Uint8Array(0);
  return { name, dataType, dims, ...(external ? {} : { raw }) };
}

function readPackedVarints(b: Uint8Array): number[] {
  const out: number[] = [];
  let v = 0;
  let shift = 0;
  for (const x of b) {
    v += (x & 0x7f) * 2 ** shift;
    if ((x & 0x80) === 0) {
      out.push(v);
      v = 0;
      shift = 0;
    } else shift += 7;
  }
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** The float32 values of a float tensor (a copy, so alignment does not matter). */
export function onnxTensorFloats(t: OnnxTensor): Float32Array {
  if (t.dataType !== TENSOR_FLOAT) throw new RangeError(`ONNX: tensor "${t.name}" has data type ${t.dataType}, not float32`);
  if (t.raw === undefined) throw new RangeError(`ONNX: tensor "${t.name}" keeps its data in an external file, which this reader does not load`);
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.raw.length !== count * 4) throw new RangeError(`ONNX: tensor "${t.name}" has ${t.raw.length} data bytes for ${count} float32 values`);
  const copy = new Uint8Array(t.raw);
  return new Float32Array(copy.buffer, 0, count);
}

/** A TensorProto with raw_data, e.g. `onnxTensor('w_scale', TENSOR_FLOAT, [256], floats)`. */
export function onnxTensor(name: string, dataType: number, dims: readonly number[], data: Float32Array | Int8Array | Uint8Array | Int32Array | BigInt64Array): Uint8Array {
  const w = new ProtoWriter();
  for (const d of dims) w.int(TENSOR.dims, d);
  w.int(TENSOR.dataType, dataType).string(TENSOR.name, name);
  return w.bytes(TENSOR.rawData, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).finish();
}
