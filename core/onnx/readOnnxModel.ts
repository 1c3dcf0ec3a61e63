import { readProtoFields, type ProtoField } from './protobufWire';

/** One NodeProto: what graph surgery needs to know, plus its bytes to copy unchanged. */
export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** The node has a graph attribute (If, Loop, Scan): it may read tensors its inputs do not name. */
  readonly hasSubgraph: boolean;
  /** The NodeProto as encoded. */
  readonly encoded: Uint8Array;
}

/** An ONNX model split into the parts graph surgery works on; everything else stays as raw fields. */
export interface OnnxModel {
  /** ModelProto's fields (ir_version, opset_import, graph, ...), in order. */
  readonly modelFields: readonly ProtoField[];
  readonly graphName: string;
  /** In the graph's (topological) order. */
  readonly nodes: readonly OnnxNode[];
  /** name → TensorProto bytes */
  readonly initializers: ReadonlyMap<string, Uint8Array>;
  /** name → ValueInfoProto bytes, in graph order */
  readonly inputs: ReadonlyMap<string, Uint8Array>;
  readonly outputs: ReadonlyMap<string, Uint8Array>;
  /** The graph has sparse initializers (graph surgery leaves such models alone). */
  readonly hasSparseInitializers: boolean;
}

// field numbers from onnx.proto
const MODEL_GRAPH = 7;
const GRAPH = { node: 1, name: 2, initializer: 5, input: 11, output: 12, sparseInitializer: 15 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 } as const;
const ATTRIBUTE = { g: 6, graphs: 11 } as const;
const TENSOR_NAME = 8;
const VALUE_INFO_NAME = 1;

const utf8 = new TextDecoder();

function stringField(fields: readonly ProtoField[], field: number): string {
  const f = fields.find((x) => x.field === field && x.wire === 2);
  return f ? utf8.decode(f.bytes) : '';
}

function readNode(encoded: Uint8Array): OnnxNode {
  const fields = readProtoFields(encoded);
  const strings = (field: number): string[] => fields.filter((f) => f.field === field && f.wire === 2).map((f) => utf8.decode(f.bytes));
  const hasSubgraph = fields
    .filter((f) => f.field === NODE.attribute && f.wire === 2)
    .some((a) => readProtoFields(a.bytes).some((x) => x.field === ATTRIBUTE.g || x.field === ATTRIBUTE.graphs));
  return {
    name: stringField(fields, NODE.name),
    opType: stringField(fields, NODE.opType),
    inputs: strings(NODE.input),
    outputs: strings(NODE.output),
    hasSubgraph,
    encoded,
  };
}

/** Reads an ONNX ModelProto. Throws RangeError when the bytes are not one. */
export function readOnnxModel(bytes: Uint8Array): OnnxModel {
  const modelFields = readProtoFields(bytes);
  const graph = modelFields.find((f) => f.field === MODEL_GRAPH && f.wire === 2);
  if (!graph) throw new RangeError('ONNX: the model has no graph');
  const graphFields = readProtoFields(graph.bytes);
  const named = (field: number, nameField: number): Map<string, Uint8Array> =>
    new Map(graphFields.filter((f) => f.field === field && f.wire === 2).map((f) => [stringField(readProtoFields(f.bytes), nameField), f.bytes] as const));
  return {
    modelFields,
    graphName: stringField(graphFields, GRAPH.name),
    nodes: graphFields.filter((f) => f.field === GRAPH.node && f.wire === 2).map((f) => readNode(f.bytes)),
    initializers: named(GRAPH.initializer, TENSOR_NAME),
    inputs: named(GRAPH.input, VALUE_INFO_NAME),
    outputs: named(GRAPH.output, VALUE_INFO_NAME),
    hasSparseInitializers: graphFields.some((f) => f.field === GRAPH.sparseInitializer),
  };
}
