import { ProtoWriter } from './protobufWire';
import type { OnnxNode } from './readOnnxModel';

/** A new attribute-free NodeProto in the default domain, e.g. `onnxNode({ opType: 'Identity', ... })`. */
export function onnxNode(n: { readonly name: string; readonly opType: string; readonly inputs: readonly string[]; readonly outputs: readonly string[] }): OnnxNode {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  return { ...n, hasSubgraph: false, encoded: w.finish() };
}
