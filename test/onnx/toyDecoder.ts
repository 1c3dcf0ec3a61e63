import { encodeOnnxModel, FLOAT } from '../text/onnxWriter';

/**
 * A toy graph with the SAM decoder's signature and the patterns splitSamDecoder handles: an image-only
 * part (emb + hasMask·W, then a MatMul), a Tile whose repeat count is the prompt batch
 * (repeat_interleave over point_coords' batch, 1 here), prompt-dependent nodes reading the image part,
 * and an output samflow does not read (`masks`).
 *
 *   e2 = emb + hasMask·W           k = Tile(e2, [batch(pts), 1]) · Wk
 *   low = k · sum(pts)             iou = sum(labels) + k            masks = low + sum(size)
 */
export function toyDecoder(): Uint8Array {
  return encodeOnnxModel({
    nodes: [
      { op: 'Mul', inputs: ['hasMask', 'W'], outputs: ['hw'] },
      { op: 'Add', inputs: ['emb', 'hw'], outputs: ['e2'] },
      { op: 'Shape', inputs: ['pts'], outputs: ['s'] },
      { op: 'Slice', inputs: ['s', 'zero', 'one'], outputs: ['batch'] },
      { op: 'Concat', inputs: ['batch', 'one'], outputs: ['repeats'], int: { axis: 0 } },
      { op: 'Tile', inputs: ['e2', 'repeats'], outputs: ['t'] },
      { op: 'MatMul', inputs: ['t', 'Wk'], outputs: ['k'] },
      { op: 'ReduceSum', inputs: ['pts'], outputs: ['psum'] },
      { op: 'Mul', inputs: ['k', 'psum'], outputs: ['low'] },
      { op: 'ReduceSum', inputs: ['labels'], outputs: ['lsum'] },
      { op: 'Add', inputs: ['lsum', 'k'], outputs: ['iou'] },
      { op: 'ReduceSum', inputs: ['size'], outputs: ['ssum'] },
      { op: 'Add', inputs: ['low', 'ssum'], outputs: ['masks'] },
    ],
    initializers: [
      { name: 'W', dims: [1, 4], data: Float32Array.from([0.5, -1, 2, 0]) },
      // Wk: column j sums rows 0..j (so k = running sums of t)
      { name: 'Wk', dims: [4, 4], data: Float32Array.from([1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1]) },
      { name: 'zero', dims: [1], data: BigInt64Array.from([0n]) },
      { name: 'one', dims: [1], data: BigInt64Array.from([1n]) },
    ],
    inputs: [
      { name: 'emb', elemType: FLOAT, dims: [1, 4] },
      { name: 'pts', elemType: FLOAT, dims: [1, 'n', 2] },
      { name: 'labels', elemType: FLOAT, dims: [1, 'n'] },
      { name: 'mask', elemType: FLOAT, dims: [1, 1, 2, 2] },
      { name: 'hasMask', elemType: FLOAT, dims: [1] },
      { name: 'size', elemType: FLOAT, dims: [2] },
    ],
    outputs: [
      { name: 'masks', elemType: FLOAT, dims: [1, 1, 4] },
      { name: 'iou', elemType: FLOAT, dims: [1, 4] },
      { name: 'low', elemType: FLOAT, dims: [1, 1, 4] },
    ],
  });
}

export const TOY_IO = { imageInputs: ['emb', 'mask', 'hasMask'], promptInputs: ['pts', 'labels', 'size'], outputs: ['iou', 'low'] } as const;
