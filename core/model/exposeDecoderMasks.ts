import * as ort from 'onnxruntime-node';
import { multimaskSamDecoder, type SamDecoderOutputNames } from './multimaskSamDecoder';
import type { SamDecoderInputNames } from './OrtSamDecoder';

/**
 * The mask a single-mask SAM export picks from the 4 (`SamOnnxModel.select_masks`): the ArgMax of
 * `iou + (numPoints − 2.5) · [1000, 0, 0, 0]`, numPoints counting the padding point and box corners.
 * With 2 points (one click + padding, or a box alone) token 0 loses and the best of tokens 1–3 wins;
 * with 3 or more, token 0. SAM's rule (decodeMasks) agrees for a lone click and for several points;
 * for a box alone SAM's predictor takes token 0 (multimask off) where the export picks from 1–3.
 */
export function exportMaskPick(iou: ArrayLike<number>, numPoints: number): number {
  let best = 0;
  let bestScore = -Infinity;
  for (let i = 0; i < iou.length; i++) {
    const score = iou[i] + (i === 0 ? (numPoints - 2.5) * 1000 : 0);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}

/** Probe prompts in the 1024 model frame: [coords, labels]. */
const PROBES: ReadonlyArray<readonly [readonly number[], readonly number[]]> = [
  [
    [512, 384, 0, 0],
    [1, -1],
  ], // one click + padding
  [
    [512, 384, 300, 300, 0, 0],
    [1, 1, -1],
  ], // two clicks + padding
  [
    [200, 200, 700, 600],
    [2, 3],
  ], // a box alone
  [
    [500, 400, 200, 200, 700, 600],
    [1, 2, 3],
  ], // a click in a box
];

/**
 * At load: when `original` (a session of `bytes`) is a single-mask SAM export, the decoder rewritten
 * by multimaskSamDecoder to return all 4 masks — checked on probe prompts: 4 masks and IoUs, and the
 * original's single mask and IoU equal to the rewritten outputs at the export's own pick (1e-5).
 * Undefined when there is nothing to rewrite or the check fails (then the original is used as is).
 */
export async function exposeDecoderMasks(
  bytes: Uint8Array,
  original: ort.InferenceSession,
  names: SamDecoderInputNames,
  outputs: SamDecoderOutputNames,
  embeddingDims: readonly number[],
  options: ort.InferenceSession.SessionOptions,
): Promise<Uint8Array | undefined> {
  const rewritten = multimaskSamDecoder(bytes, outputs);
  if (!rewritten) return undefined;
  let session: ort.InferenceSession | undefined;
  try {
    session = await ort.InferenceSession.create(rewritten.bytes, options);
    const size = embeddingDims.reduce((a, b) => a * b, 1);
    const embedding = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.7311) * 0.5);
    const plane = 256 * 256;
    for (const [coords, labels] of PROBES) {
      const n = labels.length;
      const feeds: Record<string, ort.Tensor> = {
        [names.imageEmbeddings]: new ort.Tensor('float32', embedding, embeddingDims), // float32[1,256,64,64]
        [names.pointCoords]: new ort.Tensor('float32', Float32Array.from(coords), [1, n, 2]), // float32[1,N,2]
        [names.pointLabels]: new ort.Tensor('float32', Float32Array.from(labels), [1, n]), // float32[1,N]
        [names.maskInput]: new ort.Tensor('float32', new Float32Array(plane), [1, 1, 256, 256]), // float32[1,1,256,256]
        [names.hasMaskInput]: new ort.Tensor('float32', new Float32Array([0]), [1]), // float32[1]
        [names.origImSize]: new ort.Tensor('float32', new Float32Array([768, 1024]), [2]), // float32[2]
      };
      const want = [outputs.iou, outputs.lowResMasks];
      const a = await original.run(feeds, want);
      const b = await session.run(feeds, want);
      const iou1 = a[outputs.iou].data as Float32Array; // float32[1,1]
      const low1 = a[outputs.lowResMasks].data as Float32Array; // float32[1,1,256,256]
      const iou4 = b[outputs.iou].data as Float32Array; // float32[1,4]
      const low4 = b[outputs.lowResMasks].data as Float32Array; // float32[1,4,256,256]
      if (iou1.length !== 1 || low1.length !== plane || iou4.length !== 4 || low4.length !== 4 * plane) return fail(session);
      const k = exportMaskPick(iou4, n);
      if (!(Math.abs(iou4[k] - iou1[0]) <= 1e-5)) return fail(session);
      for (let i = 0; i < plane; i++) if (!(Math.abs(low4[k * plane + i] - low1[i]) <= 1e-5)) return fail(session);
    }
    await session.release();
    return rewritten.bytes;
  } catch {
    return fail(session);
  }
}

async function fail(session: ort.InferenceSession | undefined): Promise<undefined> {
  await session?.release();
  return undefined;
}
