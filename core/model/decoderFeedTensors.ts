import * as ort from 'onnxruntime-node';
import { LOW_RES_SIZE, type DecoderFeeds } from '../types';
import type { DecoderRunOutput } from './OrtSamDecoder';
import type { DecoderOutput, ModelSpec } from './SamModel';

/** One prompt's decoder feeds as onnxruntime tensors, named by the manifest's decoder inputs. */
export function decoderFeedTensors(spec: ModelSpec, embedding: Float32Array, feeds: DecoderFeeds): Record<string, ort.Tensor> {
  const names = spec.decoder.inputs;
  const n = feeds.numPoints;
  return {
    [names[0]]: new ort.Tensor('float32', embedding, spec.encoder.embeddingDims), // float32[1,256,64,64]
    [names[1]]: new ort.Tensor('float32', feeds.pointCoords, [1, n, 2]),
    [names[2]]: new ort.Tensor('float32', feeds.pointLabels, [1, n]),
    [names[3]]: new ort.Tensor('float32', feeds.maskInput, [1, 1, LOW_RES_SIZE, LOW_RES_SIZE]),
    [names[4]]: new ort.Tensor('float32', feeds.hasMaskInput, [1]),
    [names[5]]: new ort.Tensor('float32', feeds.origImSize, [2]),
  };
}

/** The decoder run's outputs as a DecoderOutput. */
export function decoderOutputOf(spec: ModelSpec, out: DecoderRunOutput): DecoderOutput {
  const o = spec.decoder.outputs;
  const iou = out[o.iou]; // float32[1,numMasks]
  const low = out[o.lowResMasks]; // float32[1,numMasks,256,256]
  const numMasks = low.dims[1] ?? 1;
  return { iouPredictions: iou.data as Float32Array, lowResMasks: low.data as Float32Array, numMasks };
}
