import { encodeOnnxModel, FLOAT, INT32, type NodeInit, type TensorInit, type ValueInit } from '../text/onnxWriter';

/**
 * Tiny ONNX graphs with the exact signatures of the public SAM 2 / 2.1 image-predictor exports
 * (README "SAM 2 models"), for tests: no SAM 2 weights can be had here.
 *
 * Encoder `image` float32[1,3,1024,1024] → `high_res_feats_0` float32[1,32,256,256] = 3·R pooled 4×4,
 * `high_res_feats_1` float32[1,64,128,128] = 2·R pooled 8×8, `image_embed` float32[1,256,64,64] = R
 * pooled 16×16 (R: the normalized red channel; every channel of a tensor holds the same map).
 *
 * Decoder (image_embed, high_res_feats_0, high_res_feats_1, point_coords [1,N,2], point_labels
 * [1,N], mask_input [1,1,256,256], has_mask_input [1], optionally orig_im_size int32[2]) →
 * low-res logits float32[1,3,256,256] = high_res_feats_0/3 + [0, -1, 1] + has_mask_input·mask_input
 * (so: where the image is red), and iou_predictions float32[1,3] = [mean(image_embed),
 * mean(high_res_feats_1), mean(high_res_feats_0)] + sum(point_labels) (+ 0·point_coords, 0·orig_im_size).
 */
export interface Sam2GraphOptions {
  /** Dims of the encoder's high_res_feats_1 output (to test the signature check). */
  readonly highRes1Dims?: readonly number[];
  /** Rename a decoder input [from, to] (to test the signature check). */
  readonly renameInput?: readonly [string, string];
  /** The 8-input layout: `orig_im_size` int32[2], and outputs `masks` (not read) plus `low_res_masks`. */
  readonly origImSize?: boolean;
  /** Side of the low-res output (256; another value tests the signature check). */
  readonly lowResSide?: number;
}

const sameMap = (out: number, k: number): Float32Array => Float32Array.from({ length: out * 3 }, (_, i) => (i % 3 === 0 ? k : 0)); // W[out,3,1,1]: k·R

export function sam2Encoder(opts: Sam2GraphOptions = {}): Uint8Array {
  const hr1 = opts.highRes1Dims ?? [1, 64, 128, 128];
  const pool = (k: number, out: string): NodeInit => ({ op: 'AveragePool', inputs: ['image'], outputs: [out], ints: { kernel_shape: [k, k], strides: [k, k] } });
  return encodeOnnxModel({
    nodes: [
      pool(4, 'p4'),
      { op: 'Conv', inputs: ['p4', 'W0'], outputs: ['high_res_feats_0'] },
      pool(1024 / hr1[2], 'p8'),
      { op: 'Conv', inputs: ['p8', 'W1'], outputs: ['high_res_feats_1'] },
      pool(16, 'p16'),
      { op: 'Conv', inputs: ['p16', 'We'], outputs: ['image_embed'] },
    ],
    initializers: [
      { name: 'W0', dims: [32, 3, 1, 1], data: sameMap(32, 3) },
      { name: 'W1', dims: [hr1[1], 3, 1, 1], data: sameMap(hr1[1], 2) },
      { name: 'We', dims: [256, 3, 1, 1], data: sameMap(256, 1) },
    ],
    inputs: [{ name: 'image', elemType: FLOAT, dims: [1, 3, 1024, 1024] }],
    outputs: [
      { name: 'high_res_feats_0', elemType: FLOAT, dims: [1, 32, 256, 256] },
      { name: 'high_res_feats_1', elemType: FLOAT, dims: hr1 },
      { name: 'image_embed', elemType: FLOAT, dims: [1, 256, 64, 64] },
    ],
  });
}

export function sam2Decoder(opts: Sam2GraphOptions = {}): Uint8Array {
  const side = opts.lowResSide ?? 256;
  const inputs: ValueInit[] = [
    { name: 'image_embed', elemType: FLOAT, dims: [1, 256, 64, 64] },
    { name: 'high_res_feats_0', elemType: FLOAT, dims: [1, 32, 256, 256] },
    { name: 'high_res_feats_1', elemType: FLOAT, dims: [1, 64, 128, 128] },
    { name: 'point_coords', elemType: FLOAT, dims: ['num_labels', 'num_points', 2] },
    { name: 'point_labels', elemType: FLOAT, dims: ['num_labels', 'num_points'] },
    { name: 'mask_input', elemType: FLOAT, dims: ['num_labels', 1, 256, 256] },
    { name: 'has_mask_input', elemType: FLOAT, dims: ['num_labels'] },
    ...(opts.origImSize ? [{ name: 'orig_im_size', elemType: INT32, dims: [2] }] : []),
  ];
  const mean = (input: string, out: string): NodeInit[] => [
    { op: 'ReduceMean', inputs: [input], outputs: [`${out}_4d`], ints: { axes: [1, 2, 3] }, int: { keepdims: 1 } },
    { op: 'Reshape', inputs: [`${out}_4d`, 'shape11'], outputs: [out] },
  ];
  const low = opts.origImSize ? 'low_res_masks' : 'masks';
  const nodes: NodeInit[] = [
    ...mean('image_embed', 'me'),
    ...mean('high_res_feats_1', 'm1'),
    ...mean('high_res_feats_0', 'm0'),
    { op: 'Concat', inputs: ['me', 'm1', 'm0'], outputs: ['means'], int: { axis: 1 } },
    { op: 'ReduceSum', inputs: ['point_labels'], outputs: ['lsum'] },
    { op: 'ReduceSum', inputs: ['point_coords'], outputs: ['csum'], int: { keepdims: 0 } },
    { op: 'Mul', inputs: ['csum', 'zero'], outputs: ['c0'] },
    { op: 'Add', inputs: ['means', 'lsum'], outputs: ['iou_l'] },
    { op: 'Add', inputs: ['iou_l', opts.origImSize ? 'c0s' : 'c0'], outputs: ['iou_predictions'] },
    { op: 'Conv', inputs: ['high_res_feats_0', 'Wm', 'Bm'], outputs: ['logits'] },
    { op: 'Mul', inputs: ['mask_input', 'has_mask_input'], outputs: ['prev'] },
    { op: 'Add', inputs: ['logits', 'prev'], outputs: [side === 256 ? low : 'low256'] },
    ...(side === 256 ? [] : [{ op: 'Tile', inputs: ['low256', 'tile'], outputs: [low] }]),
    ...(opts.origImSize
      ? [
          { op: 'Cast', inputs: ['orig_im_size'], outputs: ['size_f'], int: { to: FLOAT } },
          { op: 'ReduceSum', inputs: ['size_f'], outputs: ['ssum'], int: { keepdims: 0 } },
          { op: 'Mul', inputs: ['ssum', 'zero'], outputs: ['s0'] },
          { op: 'Add', inputs: ['c0', 's0'], outputs: ['c0s'] },
          { op: 'Identity', inputs: [low], outputs: ['masks'] },
        ]
      : []),
  ];
  const initializers: TensorInit[] = [
    { name: 'shape11', dims: [2], data: BigInt64Array.from([1n, 1n]) },
    { name: 'zero', dims: [1], data: Float32Array.from([0]) },
    { name: 'Wm', dims: [3, 32, 1, 1], data: Float32Array.from({ length: 96 }, (_, i) => (i % 32 === 0 ? 1 / 3 : 0)) },
    { name: 'Bm', dims: [3], data: Float32Array.from([0, -1, 1]) },
    ...(side === 256 ? [] : [{ name: 'tile', dims: [4], data: BigInt64Array.from([1n, 1n, BigInt(side / 256), BigInt(side / 256)]) }]),
  ];
  const outputs: ValueInit[] = [
    { name: low, elemType: FLOAT, dims: [1, 3, side, side] },
    { name: 'iou_predictions', elemType: FLOAT, dims: [1, 3] },
    ...(opts.origImSize ? [{ name: 'masks', elemType: FLOAT, dims: [1, 3, side, side] }] : []),
  ];
  const [from, to] = opts.renameInput ?? ['', ''];
  const rename = (n: string): string => (n === from ? to : n);
  return encodeOnnxModel({
    nodes: nodes.map((n) => ({ ...n, inputs: n.inputs.map(rename) })),
    initializers,
    inputs: inputs.map((v) => ({ ...v, name: rename(v.name) })),
    outputs,
  });
}
