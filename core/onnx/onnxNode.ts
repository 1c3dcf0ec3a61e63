import { ProtoWriter } from './protobufWire';
import type { OnnxNode } from './readOnnxModel';

/**
 * A new NodeProto, e.g. `onnxNode({ opType: 'Identity', ... })`: default domain and no attributes
 * unless given (`attributes`: encoded AttributeProto messages, e.g. from onnxAttributes or
 * onnxIntAttribute).
 */
export function onnxNode(n: {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly domain?: string;
  readonly attributes?: readonly Uint8Array[];
}): OnnxNode {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const a of n.attributes ?? []) w.bytes(5, a);
  if (n.domain) w.string(7, n.domain);
  return { name: n.name, opType: n.opType, inputs: n.inputs, outputs: n.outputs, hasSubgraph: false, encoded: w.finish() };
}
