import * as ort from 'onnxruntime-node';
import { SamflowError } from '../errors';
import type { ClipTokens } from './ClipModel';

/** Where the two CLIP towers' ONNX files are. */
export interface ClipTowerFiles {
  readonly textModel: string;
  readonly visionModel: string;
}

/** The CLIP text and vision towers on onnxruntime, in this thread. Outputs are the raw (unnormalised) embeddings. */
export interface ClipTowers {
  /** → float32[batch, D] */
  runText(tokens: ClipTokens): Promise<Float32Array>;
  /** in: float32[batch,3,S,S] → float32[batch, D] */
  runVision(pixels: Float32Array, batch: number, size: number): Promise<Float32Array>;
  release(): Promise<void>;
}

async function createSession(file: string, threads: number | undefined): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(file, { graphOptimizationLevel: 'all', ...(threads ? { intraOpNumThreads: threads } : {}) });
  } catch (e) {
    throw new SamflowError('MODEL_SIGNATURE', `CLIP: onnxruntime cannot load ${file}: ${e instanceof Error ? e.message : String(e)}`, file, { cause: e });
  }
}

function pickOutput(session: ort.InferenceSession, preferred: string, file: string): string {
  if (session.outputNames.includes(preferred)) return preferred;
  const first = session.outputNames[0];
  if (first === undefined) throw new SamflowError('MODEL_SIGNATURE', `CLIP: ${file} has no outputs`, file);
  return first;
}

function requireInput(session: ort.InferenceSession, name: string, file: string): void {
  if (!session.inputNames.includes(name)) {
    throw new SamflowError('MODEL_SIGNATURE', `CLIP: ${file} has inputs ${session.inputNames.join(', ')}; expected "${name}" (a transformers.js CLIP export)`, file);
  }
}

/** Opens both towers and checks their inputs (input_ids, pixel_values). */
export async function openClipTowers(files: ClipTowerFiles, threads: number | undefined): Promise<ClipTowers> {
  const text = await createSession(files.textModel, threads);
  let vision: ort.InferenceSession | undefined;
  try {
    vision = await createSession(files.visionModel, threads);
    requireInput(text, 'input_ids', files.textModel);
    requireInput(vision, 'pixel_values', files.visionModel);
  } catch (e) {
    await Promise.all([text.release(), vision?.release()]);
    throw e;
  }
  const v = vision;
  const textOut = pickOutput(text, 'text_embeds', files.textModel);
  const visionOut = pickOutput(v, 'image_embeds', files.visionModel);
  return {
    async runText(t) {
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', t.inputIds, [t.batch, t.length]), // int64[batch, length]
      };
      if (text.inputNames.includes('attention_mask')) feeds['attention_mask'] = new ort.Tensor('int64', t.attentionMask, [t.batch, t.length]);
      const out = await text.run(feeds, [textOut]);
      return out[textOut].data as Float32Array; // float32[batch, D]
    },
    async runVision(pixels, batch, size) {
      const out = await v.run({ pixel_values: new ort.Tensor('float32', pixels, [batch, 3, size, size]) }, [visionOut]);
      return out[visionOut].data as Float32Array; // float32[batch, D]
    },
    async release() {
      await Promise.all([text.release(), v.release()]);
    },
  };
}
