import { ProtoWriter } from './protobufWire';
import type { OnnxModel, OnnxNode } from './readOnnxModel';

/** What a new graph made from an existing model holds. */
export interface OnnxGraphParts {
  /** In topological order. */
  readonly nodes: readonly OnnxNode[];
  /** ValueInfoProto bytes of the graph inputs. */
  readonly inputs: readonly Uint8Array[];
  /** ValueInfoProto bytes of the graph outputs. */
  readonly outputs: readonly Uint8Array[];
}

// field numbers from onnx.proto
const MODEL_GRAPH = 7;
const GRAPH = { node: 1, name: 2, initializer: 5, input: 11, output: 12 } as const;

/**
 * A model with `model`'s header (IR version, opsets, functions, metadata) and a new graph: the given
 * nodes, inputs and outputs, and those of `model`'s initializers that the nodes read. Value-info
 * shape hints are left out (onnxruntime infers them again).
 */
export function writeOnnxModel(model: OnnxModel, parts: OnnxGraphParts): Uint8Array {
  const read = new Set<string>();
  for (const n of parts.nodes) for (const i of n.inputs) read.add(i);
  const graph = new ProtoWriter();
  for (const n of parts.nodes) graph.bytes(GRAPH.node, n.encoded);
  graph.string(GRAPH.name, model.graphName);
  for (const [name, tensor] of model.initializers) if (read.has(name)) graph.bytes(GRAPH.initializer, tensor);
  for (const v of parts.inputs) graph.bytes(GRAPH.input, v);
  for (const v of parts.outputs) graph.bytes(GRAPH.output, v);
  const out = new ProtoWriter();
  for (const f of model.modelFields) {
    if (f.field === MODEL_GRAPH && f.wire === 2) out.message(MODEL_GRAPH, graph);
    else out.raw(f.raw);
  }
  return out.finish();
}
