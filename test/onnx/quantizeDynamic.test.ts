/**
 * quantizeDynamic on tiny graphs written here: which ops are replaced, the exact int8 weights and
 * per-channel scales of a hand-computed case, and outputs close to float32 in onnxruntime.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { onnxTensorFloats, readOnnxModel, readOnnxTensor, TENSOR_INT8, quantizeDynamic, quantizePerChannel } from '../../core/onnx';
import { encodeOnnxModel, FLOAT, type NodeInit, type TensorInit } from '../text/onnxWriter';

/** Deterministic pseudo-random floats in [-1, 1). */
function floats(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** x float32[1,8,16] → MatMul W1[16,12] → Add b1[12] → Relu → MatMul W2[12,4] → y float32[1,8,4]. */
function mlp(): Uint8Array {
  const inits: TensorInit[] = [
    { name: 'W1', dims: [16, 12], data: floats(16 * 12, 1) },
    { name: 'b1', dims: [12], data: floats(12, 2) },
    { name: 'W2', dims: [12, 4], data: floats(12 * 4, 3) },
  ];
  const nodes: NodeInit[] = [
    { op: 'MatMul', inputs: ['x', 'W1'], outputs: ['h0'] },
    { op: 'Add', inputs: ['h0', 'b1'], outputs: ['h1'] },
    { op: 'Relu', inputs: ['h1'], outputs: ['h2'] },
    { op: 'MatMul', inputs: ['h2', 'W2'], outputs: ['y'] },
  ];
  return encodeOnnxModel({ nodes, initializers: inits, inputs: [{ name: 'x', elemType: FLOAT, dims: [1, 8, 16] }], outputs: [{ name: 'y', elemType: FLOAT, dims: [1, 8, 4] }] });
}

/** x float32[1,32,6,6] → Conv 3x3 (16 out, pads 1) → Gemm (transB) on the flattened result → y float32[1,5]. */
function convGemm(): Uint8Array {
  const inits: TensorInit[] = [
    { name: 'Wc', dims: [16, 32, 3, 3], data: floats(16 * 32 * 9, 4) },
    { name: 'bc', dims: [16], data: floats(16, 5) },
    { name: 'Wg', dims: [5, 16 * 36], data: floats(5 * 16 * 36, 6) },
    { name: 'bg', dims: [5], data: floats(5, 7) },
  ];
  const nodes: NodeInit[] = [
    { op: 'Conv', inputs: ['x', 'Wc', 'bc'], outputs: ['c'], ints: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
    { op: 'Flatten', inputs: ['c'], outputs: ['f'] },
    { op: 'Gemm', inputs: ['f', 'Wg', 'bg'], outputs: ['y'], int: { transB: 1 } },
  ];
  return encodeOnnxModel({ nodes, initializers: inits, inputs: [{ name: 'x', elemType: FLOAT, dims: [1, 32, 6, 6] }], outputs: [{ name: 'y', elemType: FLOAT, dims: [1, 5] }] });
}

async function runModel(bytes: Uint8Array, x: Float32Array, dims: number[]): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  try {
    const out = await s.run({ x: new ort.Tensor('float32', x, dims) });
    return out.y.data as Float32Array;
  } finally {
    await s.release();
  }
}

function relativeError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

const opTypes = (bytes: Uint8Array): string[] => readOnnxModel(bytes).nodes.map((n) => n.opType);

describe('quantizePerChannel', () => {
  it('gives each channel max|w|/127 as its scale and rounds w/scale (half to even), all-zero channels scale 1', () => {
    // float32[3,3], channel = column: scales 127/127 = 1 and 254/127 = 2 are exact, so are the halves
    const w = Float32Array.of(127, 62.5, 0, -63.5, 254, 0, 62.5, 5, 0);
    const q = quantizePerChannel(w, 3, (i) => i % 3);
    expect([...q.scales]).toEqual([1, 2, 1]);
    expect([...q.values]).toEqual([127, 31, 0, -64, 127, 0, 62, 2, 0]); // -63.5 → -64, 62.5 → 62, 2.5 → 2 (half to even)
    const r7 = quantizePerChannel(Float32Array.of(63, -31.5, 30.5), 1, () => 0, true); // 7-bit: qmax 63
    expect([...r7.scales]).toEqual([1]);
    expect([...r7.values]).toEqual([63, -32, 30]);
  });
});

describe('quantizeDynamic', () => {
  it('replaces MatMul (bias Add folded) with DynamicQuantizeLinear + MatMulInteger, int8 weights and per-column scales, output close to float32', async () => {
    const src = mlp();
    const r = quantizeDynamic(src);
    expect(r.quantized.map((q) => q.weight)).toEqual(['W1', 'W2']);
    const ops = opTypes(r.model);
    expect(ops).not.toContain('MatMul');
    expect(ops.filter((o) => o === 'MatMulInteger')).toHaveLength(2);
    expect(ops.filter((o) => o === 'DynamicQuantizeLinear')).toHaveLength(2);
    expect(ops).toContain('Relu');
    // the written weights are exactly the per-column quantization of W1
    const m = readOnnxModel(r.model);
    const wq = readOnnxTensor(m.initializers.get('W1_quantized')!);
    const ws = readOnnxTensor(m.initializers.get('W1_scale')!);
    expect(wq.dataType).toBe(TENSOR_INT8);
    expect(wq.dims).toEqual([16, 12]);
    expect(ws.dims).toEqual([12]);
    const want = quantizePerChannel(floats(16 * 12, 1), 12, (i) => i % 12);
    expect(new Int8Array(wq.raw!.buffer, wq.raw!.byteOffset, wq.raw!.length)).toEqual(want.values);
    expect(onnxTensorFloats(ws)).toEqual(want.scales);
    expect(m.initializers.has('W1')).toBe(false); // the float weights are gone
    const x = floats(8 * 16, 9);
    const [ref, got] = [await runModel(src, x, [1, 8, 16]), await runModel(r.model, x, [1, 8, 16])];
    expect(relativeError(got, ref)).toBeLessThan(0.03);
  });

  it("writes com.microsoft DynamicQuantizeMatMul with matMulForm 'contrib' (and declares the domain)", async () => {
    const src = mlp();
    const r = quantizeDynamic(src, { matMulForm: 'contrib' });
    expect(opTypes(r.model)).toEqual(['DynamicQuantizeMatMul', 'Relu', 'DynamicQuantizeMatMul']);
    const x = floats(8 * 16, 10);
    expect(relativeError(await runModel(r.model, x, [1, 8, 16]), await runModel(src, x, [1, 8, 16]))).toBeLessThan(0.03);
  });

  it('quantizes Conv (ConvInteger, per output channel) and Gemm with transB when asked; leaves excluded nodes alone', async () => {
    const src = convGemm();
    const x = floats(32 * 36, 11);
    const ref = await runModel(src, x, [1, 32, 6, 6]);
    const both = quantizeDynamic(src, { ops: ['Conv', 'Gemm'], minConvReduction: 100 });
    expect(both.quantized.map((q) => q.opType)).toEqual(['Conv', 'Gemm']);
    expect(opTypes(both.model)).toContain('ConvInteger');
    expect(opTypes(both.model)).not.toContain('Conv');
    expect(opTypes(both.model)).not.toContain('Gemm');
    expect(readOnnxTensor(readOnnxModel(both.model).initializers.get('Wc_scale')!).dims).toEqual([16, 1, 1]);
    expect(relativeError(await runModel(both.model, x, [1, 32, 6, 6]), ref)).toBeLessThan(0.03);

    const small = quantizeDynamic(src, { ops: ['Conv', 'Gemm'] }); // reduction 32*9 = 288 < the default 1024
    expect(small.skipped.map((s) => s.name)).toEqual(['Conv_0']);
    expect(opTypes(small.model)).toContain('Conv');
    const excluded = quantizeDynamic(src, { ops: ['Conv', 'Gemm'], minConvReduction: 1, exclude: (n) => n.opType === 'Gemm' });
    expect(excluded.skipped).toEqual([{ name: 'Gemm_2', opType: 'Gemm', reason: 'excluded' }]);
    expect(opTypes(excluded.model)).toContain('Gemm');
    expect(relativeError(await runModel(excluded.model, x, [1, 32, 6, 6]), ref)).toBeLessThan(0.03);
  });

  it('leaves MatMul of two activations in float32 and says why', () => {
    const src = encodeOnnxModel({
      nodes: [{ op: 'MatMul', inputs: ['x', 'x'], outputs: ['y'] }],
      initializers: [],
      inputs: [{ name: 'x', elemType: FLOAT, dims: [4, 4] }],
      outputs: [{ name: 'y', elemType: FLOAT, dims: [4, 4] }],
    });
    const r = quantizeDynamic(src);
    expect(r.quantized).toEqual([]);
    expect(r.skipped).toEqual([{ name: 'MatMul_0', opType: 'MatMul', reason: 'the weight is not a constant initializer' }]);
    expect(opTypes(r.model)).toEqual(['MatMul']);
  });
});
