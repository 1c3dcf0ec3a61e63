import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { onnxNode, onnxValueInfo, readOnnxModel, readProtoFields, writeOnnxModel } from '../../core/onnx';
import { toyDecoder } from './toyDecoder';

const f32 = (data: number[], dims: number[]): ort.Tensor => new ort.Tensor('float32', Float32Array.from(data), dims);

describe('readOnnxModel / writeOnnxModel', () => {
  it('reads the nodes, initializers, inputs and outputs of a model', () => {
    const m = readOnnxModel(toyDecoder());
    expect(m.graphName).toBe('test_graph');
    expect(m.nodes.map((n) => n.opType)).toEqual(['Mul', 'Add', 'Shape', 'Slice', 'Concat', 'Tile', 'MatMul', 'ReduceSum', 'Mul', 'ReduceSum', 'Add', 'ReduceSum', 'Add']);
    expect(m.nodes[5]).toMatchObject({ inputs: ['e2', 'repeats'], outputs: ['t'], hasSubgraph: false });
    expect([...m.initializers.keys()]).toEqual(['W', 'Wk', 'zero', 'one']);
    expect([...m.inputs.keys()]).toEqual(['emb', 'pts', 'labels', 'mask', 'hasMask', 'size']);
    expect([...m.outputs.keys()]).toEqual(['masks', 'iou', 'low']);
    expect(m.hasSparseInitializers).toBe(false);
  });

  it('refuses bytes that are not an ONNX model', () => {
    expect(() => readOnnxModel(Uint8Array.from([0x08, 0x01]))).toThrow(/no graph/);
    expect(() => readOnnxModel(Uint8Array.from([0x3a, 0x09, 0x01]))).toThrow(RangeError);
  });

  it('writes a sub-graph with a new node that onnxruntime runs, keeping the header and only the initializers read', async () => {
    const m = readOnnxModel(toyDecoder());
    // e2 = emb + hasMask·W, then out = Identity(e2)
    const bytes = writeOnnxModel(m, {
      nodes: [m.nodes[0], m.nodes[1], onnxNode({ name: 'id', opType: 'Identity', inputs: ['e2'], outputs: ['out'] })],
      inputs: [m.inputs.get('emb')!, onnxValueInfo('hasMask', 'float32', [1])],
      outputs: [onnxValueInfo('out')],
    });
    const again = readOnnxModel(bytes);
    expect([...again.initializers.keys()]).toEqual(['W']);
    expect([...again.inputs.keys()]).toEqual(['emb', 'hasMask']);
    const header = (b: Uint8Array): string =>
      JSON.stringify(
        readProtoFields(b)
          .filter((f) => f.field !== 7)
          .map((f) => [f.field, f.varint.toString(), [...f.bytes]]),
      );
    expect(header(bytes)).toBe(header(toyDecoder()));
    const session = await ort.InferenceSession.create(bytes);
    try {
      // the output's type was left to onnxruntime: it infers float32[1,4]
      expect(session.outputMetadata[0]).toMatchObject({ name: 'out', type: 'float32', shape: [1, 4] });
      const out = await session.run({ emb: f32([1, 2, 3, 4], [1, 4]), hasMask: f32([1], [1]) });
      expect([...(out['out'].data as Float32Array)]).toEqual([1.5, 1, 5, 4]);
    } finally {
      await session.release();
    }
  });

  it('refuses a tensor type that ONNX does not have', () => {
    expect(() => onnxValueInfo('x', 'complex256')).toThrow(/no tensor element type for "complex256"/);
  });
});
