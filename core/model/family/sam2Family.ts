import * as ort from 'onnxruntime-node';
import { SamflowError } from '../../errors';
import { LOW_RES_SIZE, type DecoderFeeds } from '../../types';
import type { ModelSpec } from '../SamModel';
import { describeTensor } from './describeTensor';
import { matchesTensor } from './matchesTensor';
import type { EmbeddingSlot, ModelFamily } from './ModelFamily';

/** SAM 2's high-resolution feature maps (the image features are the manifest's encoder output, image_embed). */
const HIGH_RES_FEATS: readonly EmbeddingSlot[] = [
  { output: 'high_res_feats_0', name: 'high_res_feats_0', dims: [1, 32, 256, 256] },
  { output: 'high_res_feats_1', name: 'high_res_feats_1', dims: [1, 64, 128, 128] },
];
/** The input the 8-input layouts add (int32 or float32 [2]: original height, width). */
const ORIG_IM_SIZE = 'orig_im_size';
const DECODER_FEEDS = ['point_coords', 'point_labels', 'mask_input', 'has_mask_input'] as const;

/**
 * SAM 2 / 2.1's image predictor as the public ONNX exporters write it (README "SAM 2 models"):
 * an encoder `image` float32[1,3,1024,1024] → `high_res_feats_0` float32[1,32,256,256],
 * `high_res_feats_1` float32[1,64,128,128], `image_embed` float32[1,256,64,64] after a square
 * 1024×1024 resize (SAM2Transforms: the aspect is not kept, nothing is padded); a decoder taking
 * those three with `point_coords` [1,N,2], `point_labels` [1,N], `mask_input` [1,1,256,256],
 * `has_mask_input` [1] and, in some layouts, `orig_im_size` [2]; it returns 256×256 low-res logits
 * (`masks` in samexporter's layout, `low_res_masks` where `masks` are upscaled) and
 * `iou_predictions`. The decoder appends SAM 2's padding point itself, so ours is left off.
 */
export const sam2Family: ModelFamily = {
  name: 'sam2',
  resize: 'square',
  graphSurgery: false,
  embeddingSlots(spec) {
    return [{ output: spec.encoder.output, name: spec.encoder.output, dims: spec.encoder.embeddingDims }, ...HIGH_RES_FEATS];
  },
  promptFeeds(_spec: ModelSpec, feeds: DecoderFeeds) {
    // encodePrompts appends SAM 1's padding point (label -1) to prompts without a box; SAM 2's
    // decoder pads every prompt itself
    const padded = feeds.numPoints > 1 && feeds.pointLabels[feeds.numPoints - 1] === -1;
    const n = padded ? feeds.numPoints - 1 : feeds.numPoints;
    return {
      point_coords: new ort.Tensor('float32', feeds.pointCoords.subarray(0, 2 * n), [1, n, 2]), // float32[1,N,2]
      point_labels: new ort.Tensor('float32', feeds.pointLabels.subarray(0, n), [1, n]), // float32[1,N]
      mask_input: new ort.Tensor('float32', feeds.maskInput, [1, 1, LOW_RES_SIZE, LOW_RES_SIZE]), // float32[1,1,256,256]
      has_mask_input: new ort.Tensor('float32', feeds.hasMaskInput, [1]), // float32[1]
      [ORIG_IM_SIZE]: new ort.Tensor('float32', feeds.origImSize, [2]), // float32[2]; cast to the decoder's type when it is int32
    };
  },
  checkDecoder(spec, session, file) {
    const bad = (what: string): SamflowError =>
      new SamflowError('MODEL_SIGNATURE', `decoder ${file}: ${what}; use a SAM 2 image decoder export in one of the layouts of README "SAM 2 models"`, file);
    const want = spec.decoder.inputs.filter((n) => n !== ORIG_IM_SIZE);
    const required = [...this.embeddingSlots(spec).map((s) => s.name), ...DECODER_FEEDS];
    const unnamed = required.filter((n) => !want.includes(n));
    if (unnamed.length > 0) {
      throw new SamflowError(
        'MODEL_INVALID',
        `model "${spec.id}": decoderIo.inputs [${spec.decoder.inputs.join(', ')}] lacks [${unnamed.join(', ')}]; a SAM 2 decoder takes [${required.join(', ')}] and optionally ${ORIG_IM_SIZE}`,
        file,
      );
    }
    const found = session.inputNames;
    const missing = want.filter((n) => !found.includes(n));
    const extra = found.filter((n) => !want.includes(n) && n !== ORIG_IM_SIZE);
    if (missing.length > 0 || extra.length > 0) {
      throw bad(
        `inputs do not match the SAM 2 decoder: expected [${want.join(', ')}] (and optionally ${ORIG_IM_SIZE}), found [${found.join(', ')}]` +
          (missing.length ? `; missing [${missing.join(', ')}]` : '') +
          (extra.length ? `; unexpected [${extra.join(', ')}]` : ''),
      );
    }
    const input = (n: string): ort.InferenceSession.ValueMetadata | undefined => session.inputMetadata.find((m) => m.name === n);
    for (const s of this.embeddingSlots(spec)) {
      if (!matchesTensor(input(s.name), 'float32', s.dims)) throw bad(`input "${s.name}" must be float32[${s.dims.join(',')}], found ${describeTensor(input(s.name))}`);
    }
    if (!matchesTensor(input('mask_input'), 'float32', [1, 1, LOW_RES_SIZE, LOW_RES_SIZE])) {
      throw bad(`input "mask_input" must be float32[1,1,${LOW_RES_SIZE},${LOW_RES_SIZE}], found ${describeTensor(input('mask_input'))}`);
    }
    const size = input(ORIG_IM_SIZE);
    if (size && !(matchesTensor(size, 'int32', [2]) || matchesTensor(size, 'float32', [2]) || matchesTensor(size, 'int64', [2]))) {
      throw bad(`input "${ORIG_IM_SIZE}" must be int32, int64 or float32 [2], found ${describeTensor(size)}`);
    }
    const { iou, lowResMasks } = spec.decoder.outputs;
    const output = (n: string): ort.InferenceSession.ValueMetadata | undefined => session.outputMetadata.find((m) => m.name === n);
    if (!output(iou)) throw bad(`expected output "${iou}" (the IoU predictions, float32[1,M]), found [${session.outputNames.join(', ')}]`);
    const low = output(lowResMasks);
    if (!low) throw bad(`expected output "${lowResMasks}" (256×256 low-res logits, float32[1,M,256,256]), found [${session.outputNames.join(', ')}]`);
    if (low.isTensor && low.shape.length === 4 && [low.shape[2], low.shape[3]].some((d) => typeof d === 'number' && d >= 0 && d !== LOW_RES_SIZE)) {
      throw bad(
        `output "${lowResMasks}" must be the 256×256 low-res logits float32[1,M,256,256], found ${describeTensor(low)}; ` +
          `name the decoder's low-res output in decoderIo.outputs.lowResMasks of model.json`,
      );
    }
  },
};
