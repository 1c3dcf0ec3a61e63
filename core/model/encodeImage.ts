import { preprocessImage } from '../image/preprocessImage';
import type { EmbeddedFrame, Frame } from '../types';
import type { SamModel } from './SamModel';

/**
 * The heavy stage, once per image: preprocess (resize, normalize, pad) and run the image encoder.
 * in: Frame → out: EmbeddedFrame with float32[1,256,64,64] embedding and the frame's transform.
 */
export async function encodeImage(model: SamModel, frame: Frame): Promise<EmbeddedFrame> {
  const { input, transform } = await preprocessImage(frame, model.spec);
  const embedding = await model.runEncoder(input);
  return { frame, embedding, embeddingDims: model.spec.encoder.embeddingDims, transform, modelId: model.id };
}
