import { onnxNode, onnxValueInfo, readOnnxModel, writeOnnxModel, type OnnxModel, type OnnxNode } from '../onnx';

/** Which decoder inputs depend on the image alone and which on the prompt, and the outputs wanted. */
export interface SamDecoderIo {
  /** The embedding, mask_input, has_mask_input. */
  readonly imageInputs: readonly string[];
  /** point_coords, point_labels, orig_im_size. */
  readonly promptInputs: readonly string[];
  /** The outputs samflow reads (iou_predictions, low_res_masks). */
  readonly outputs: readonly string[];
}

/** The onnxruntime type (and dims) of a tensor passed from the image stage to the prompt stage. */
export interface CutTensorType {
  readonly name: string;
  readonly type: string;
  readonly dims?: ReadonlyArray<number | string>;
}

/** The prompt-independent part of the decoder and the rest. */
export interface SamDecoderSplit {
  /** Image inputs → the `cut` tensors (outputs without types: onnxruntime infers them). */
  readonly imageStage: Uint8Array;
  readonly imageStageInputs: readonly string[];
  /** Tensors computed once per image and fed to every prompt-stage run. */
  readonly cut: readonly string[];
  /** The prompt inputs the prompt stage reads (besides the cut tensors). */
  readonly promptStageInputs: readonly string[];
  /** Prompt inputs + cut tensors → the outputs; needs the cut tensors' types. */
  promptStage(cutTypes: readonly CutTensorType[]): Uint8Array;
}

export interface SamDecoderStages {
  /** The whole decoder with only the wanted outputs (nodes that feed nothing else, e.g. the full-size `masks`, removed). */
  readonly whole: Uint8Array;
  readonly wholeInputs: readonly string[];
  /** Undefined when nothing in the decoder depends on the image alone, or the graph has subgraphs. */
  readonly split?: SamDecoderSplit;
}

const STATIC = 0;
const IMAGE = 1;
const PROMPT = 2;
type Dependence = typeof STATIC | typeof IMAGE | typeof PROMPT;

/** What each tensor depends on: constants only, the image inputs, or a prompt input. */
function classify(model: OnnxModel, nodes: readonly OnnxNode[], io: SamDecoderIo): Map<string, Dependence> {
  const dep = new Map<string, Dependence>();
  for (const name of model.initializers.keys()) dep.set(name, STATIC);
  for (const name of io.imageInputs) dep.set(name, IMAGE);
  for (const name of io.promptInputs) dep.set(name, PROMPT);
  for (const n of nodes) {
    let d: Dependence = STATIC;
    for (const i of n.inputs) {
      if (i === '') continue; // an omitted optional input
      const di = dep.get(i);
      if (di === undefined) throw new RangeError(`decoder node ${n.name} reads "${i}" before it is computed`);
      if (di > d) d = di;
    }
    for (const o of n.outputs) dep.set(o, d);
  }
  return dep;
}

/** Indices (ascending) of the nodes that `targets` need, not looking past `stopAt`. */
function needed(nodes: readonly OnnxNode[], targets: Iterable<string>, stopAt: ReadonlySet<string> = new Set()): number[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
  const need = new Set<number>();
  const seen = new Set<string>();
  const stack = [...targets];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t) || stopAt.has(t)) continue;
    seen.add(t);
    const p = producer.get(t);
    if (p === undefined || need.has(p)) continue;
    need.add(p);
    for (const i of nodes[p].inputs) if (i !== '') stack.push(i);
  }
  return [...need].sort((a, b) => a - b);
}

function inputsRead(nodes: readonly OnnxNode[], candidates: readonly string[]): string[] {
  const read = new Set(nodes.flatMap((n) => n.inputs));
  return candidates.filter((c) => read.has(c));
}

/**
 * Graph surgery on a SAM ONNX decoder (the official export's signature), done once at load:
 *
 * - `whole`: the decoder pruned to the outputs samflow reads. onnxruntime runs every node of a graph
 *   whatever outputs are asked for, so the official decoder upsampled every prompt's masks to the
 *   full image size (`masks`) only for samflow to drop them.
 * - `split`: the part that depends on the image alone — the dense embedding (mask_input through
 *   mask_downscaling, or no_mask_embed) added to the embedding, and the first attention block's
 *   image-side projections (keys/values of token→image, queries of image→token) — as an image
 *   stage run once per embedding, and the rest as a prompt stage run per prompt.
 *
 * The official export repeats the image embedding and its positional encoding per prompt in the
 * batch (`repeat_interleave(x, tokens.shape[0])`, a Tile whose repeat count comes from the prompt).
 * samflow runs one prompt per decoder call (point_coords [1,N,2]), so those Tiles are the identity
 * and the split treats them so; OrtSamDecoder checks at load that the split gives exactly the
 * whole decoder's output and falls back to `whole` if not.
 */
export function splitSamDecoder(bytes: Uint8Array, io: SamDecoderIo): SamDecoderStages {
  const model = readOnnxModel(bytes);
  if (model.nodes.some((n) => n.hasSubgraph) || model.hasSparseInitializers) {
    return { whole: bytes, wholeInputs: [...model.inputs.keys()] };
  }
  const wholeNodes = needed(model.nodes, io.outputs).map((i) => model.nodes[i]);
  const all = [...io.imageInputs, ...io.promptInputs];
  const wholeInputs = inputsRead(wholeNodes, all);
  const rawInput = (name: string): Uint8Array => {
    const v = model.inputs.get(name);
    if (!v) throw new RangeError(`decoder has no input "${name}"`);
    return v;
  };
  const rawOutput = (name: string): Uint8Array => {
    const v = model.outputs.get(name);
    if (!v) throw new RangeError(`decoder has no output "${name}"`);
    return v;
  };
  const whole = writeOnnxModel(model, { nodes: wholeNodes, inputs: wholeInputs.map(rawInput), outputs: io.outputs.map(rawOutput) });
  const stages = { whole, wholeInputs };

  // batch-1 specialisation: a Tile of image or constant data repeated by a prompt-derived count
  let nodes: OnnxNode[] = [...model.nodes];
  for (;;) {
    const dep = classify(model, nodes, io);
    let changed = false;
    nodes = nodes.map((n) => {
      if (n.opType !== 'Tile' || n.inputs.length < 2) return n;
      if (dep.get(n.inputs[0]) === PROMPT || dep.get(n.inputs[1]) !== PROMPT) return n;
      changed = true;
      return onnxNode({ name: n.name, opType: 'Identity', inputs: [n.inputs[0]], outputs: [n.outputs[0]] });
    });
    if (!changed) break;
  }
  const dep = classify(model, nodes, io);
  if (io.outputs.some((o) => dep.get(o) !== PROMPT)) return stages;
  const need = needed(nodes, io.outputs).map((i) => nodes[i]);
  const cut = new Set<string>();
  for (const n of need) {
    if (dep.get(n.outputs[0] ?? '') !== PROMPT) continue;
    for (const i of n.inputs) if (i !== '' && dep.get(i) === IMAGE) cut.add(i);
  }
  // nothing to cache when the prompt stage would only read the image inputs themselves
  if ([...cut].every((c) => io.imageInputs.includes(c))) return stages;
  const cutNames = [...cut];
  const imageNodes = needed(nodes, cutNames).map((i) => nodes[i]);
  const imageStageInputs = inputsRead(imageNodes, io.imageInputs);
  const promptNodes = needed(nodes, io.outputs, cut).map((i) => nodes[i]);
  const promptStageInputs = inputsRead(promptNodes, io.promptInputs);
  const imageStage = writeOnnxModel(model, {
    nodes: imageNodes,
    inputs: imageStageInputs.map(rawInput),
    outputs: cutNames.map((name) => onnxValueInfo(name)),
  });
  return {
    ...stages,
    split: {
      imageStage,
      imageStageInputs,
      cut: cutNames,
      promptStageInputs,
      promptStage(cutTypes: readonly CutTensorType[]): Uint8Array {
        const typeOf = new Map(cutTypes.map((t) => [t.name, t]));
        const cutInputs = cutNames.map((name) => {
          const t = typeOf.get(name);
          if (!t) throw new RangeError(`no type given for the cut tensor "${name}"`);
          return onnxValueInfo(name, t.type, t.dims);
        });
        return writeOnnxModel(model, {
          nodes: promptNodes,
          inputs: [...promptStageInputs.map(rawInput), ...cutInputs],
          outputs: io.outputs.map(rawOutput),
        });
      },
    },
  };
}
