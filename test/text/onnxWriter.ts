/**
 * A minimal ONNX ModelProto writer for tests (onnxruntime-node cannot build graphs). It encodes only
 * the protobuf fields needed for small float/int64 graphs, with field numbers from onnx.proto:
 * ModelProto{ir_version=1, producer_name=2, graph=7, opset_import=8}, GraphProto{node=1, name=2,
 * initializer=5, input=11, output=12}, NodeProto{input=1, output=2, name=3, op_type=4, attribute=5},
 * AttributeProto{name=1, i=3, ints=8, type=20}, TensorProto{dims=1, data_type=2, name=8, raw_data=9},
 * ValueInfoProto{name=1, type=2}, TypeProto{tensor_type=1}, TypeProto.Tensor{elem_type=1, shape=2},
 * TensorShapeProto{dim=1}, Dimension{dim_value=1, dim_param=2}, OperatorSetIdProto{domain=1, version=2}.
 */
import { ProtoWriter } from '../../core/onnx/protobufWire';
import { onnxValueInfo } from '../../core/onnx/onnxValueInfo';

export const FLOAT = 1;
export const INT64 = 7;
export const INT32 = 6;

export interface TensorInit {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array;
}
export interface NodeInit {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly ints?: Readonly<Record<string, readonly number[]>>;
  readonly int?: Readonly<Record<string, number>>;
}
export interface ValueInit {
  readonly name: string;
  readonly elemType: number;
  /** number = fixed size, string = symbolic (dynamic) dimension */
  readonly dims: readonly (number | string)[];
}

function valueInfo(v: ValueInit): Uint8Array {
  const type = v.elemType === FLOAT ? 'float32' : v.elemType === INT64 ? 'int64' : v.elemType === INT32 ? 'int32' : undefined;
  if (!type) throw new RangeError(`test ONNX writer: element type ${v.elemType} is not FLOAT, INT64 or INT32`);
  return onnxValueInfo(v.name, type, v.dims);
}

function tensor(t: TensorInit): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.data instanceof Float32Array ? FLOAT : INT64).string(8, t.name);
  return w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function node(n: NodeInit, i: number): ProtoWriter {
  const w = new ProtoWriter();
  for (const x of n.inputs) w.string(1, x);
  for (const x of n.outputs) w.string(2, x);
  w.string(3, `${n.op}_${i}`).string(4, n.op);
  for (const [name, v] of Object.entries(n.int ?? {})) w.message(5, new ProtoWriter().string(1, name).int(3, v).int(20, 2)); // INT
  for (const [name, vs] of Object.entries(n.ints ?? {})) {
    const a = new ProtoWriter().string(1, name);
    for (const v of vs) a.int(8, v);
    w.message(5, a.int(20, 7)); // INTS
  }
  return w;
}

/** Encodes a single-graph ONNX model (opset 13, IR 8). */
export function encodeOnnxModel(g: { nodes: readonly NodeInit[]; initializers: readonly TensorInit[]; inputs: readonly ValueInit[]; outputs: readonly ValueInit[] }): Uint8Array {
  const graph = new ProtoWriter();
  g.nodes.forEach((n, i) => graph.message(1, node(n, i)));
  graph.string(2, 'test_graph');
  for (const t of g.initializers) graph.message(5, tensor(t));
  for (const v of g.inputs) graph.bytes(11, valueInfo(v));
  for (const v of g.outputs) graph.bytes(12, valueInfo(v));
  return new ProtoWriter().int(1, 8).string(2, 'samflow-test').message(7, graph).message(8, new ProtoWriter().string(1, '').int(2, 13)).finish();
}
