import { SamflowError } from '../errors';
import { preprocessImage } from '../image/preprocessImage';
import { describeValue } from '../limits';
import type { EmbeddedFrame, Frame, ImageEmbedding } from '../types';
import { familyOf } from './family/familyOf';
import type { SamModel } from './SamModel';

/** encodeImage's arguments, checked before any work: BAD_OPTION / BAD_IMAGE naming the argument. */
function checkArgs(model: unknown, frame: unknown): asserts frame is Frame {
  const m = model as Partial<SamModel> | null;
  if (typeof m !== 'object' || m === null || typeof m.runEncoder !== 'function' || typeof m.spec !== 'object' || m.spec === null) {
    throw new SamflowError('BAD_OPTION', `encodeImage: model must be a loaded SamModel (from loadSamModel), got ${describeValue(model)}`, 'model');
  }
  if (typeof frame === 'string' || frame instanceof Uint8Array) {
    throw new SamflowError('BAD_IMAGE', 'encodeImage: frame must be a decoded Frame {width, height, rgb}; decode the file or bytes with decodeImage() first', 'frame');
  }
  const f = frame as Partial<Frame> | null;
  if (typeof f !== 'object' || f === null) {
    throw new SamflowError('BAD_IMAGE', `encodeImage: frame must be a decoded Frame {width, height, rgb} (from decodeImage), got ${describeValue(frame)}`, 'frame');
  }
  const { width, height, rgb } = f;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width! < 1 || height! < 1) {
    throw new SamflowError(
      'BAD_IMAGE',
      `encodeImage: frame ${String(f.id ?? '')} must be at least 1x1 with integer sides, got ${describeValue(width)}x${describeValue(height)}`,
      'frame',
    );
  }
  if (!(rgb instanceof Uint8Array) || rgb.length !== width! * height! * 3) {
    throw new SamflowError(
      'BAD_IMAGE',
      `encodeImage: frame ${String(f.id ?? '')} must carry ${width}x${height}x3 = ${width! * height! * 3} RGB bytes, got ${rgb instanceof Uint8Array ? rgb.length : describeValue(rgb)}`,
      'frame',
    );
  }
}

/**
 * The heavy stage, once per image: preprocess (the family's resize, normalize, pad) and run the
 * image encoder. in: Frame → out: EmbeddedFrame with the embedding's named tensors (sam1:
 * image_embeddings float32[1,256,64,64]) and the frame's transform.
 * A `model.release()` issued while the image is being preprocessed waits for this run.
 */
export async function encodeImage(model: SamModel, frame: Frame): Promise<EmbeddedFrame> {
  checkArgs(model, frame);
  if (model.released) throw new SamflowError('MODEL_RELEASED', `encodeImage: model "${model.id}" was released; load it again to run it`);
  const free = model.retain?.();
  let embedding: Promise<ImageEmbedding>;
  let transform: EmbeddedFrame['transform'];
  try {
    const pre = await preprocessImage(frame, { ...model.spec, resize: familyOf(model.spec.family, model.id).resize });
    transform = pre.transform;
    embedding = model.runEncoder(pre.input);
  } finally {
    free?.();
  }
  return { frame, embedding: await embedding, transform, modelId: model.id };
}
