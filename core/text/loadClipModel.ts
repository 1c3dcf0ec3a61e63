import * as path from 'node:path';
import { SamflowError } from '../errors';
import { isList } from '../limits';
import { packageRoot } from '../model/packageRoot';
import { WorkerHost } from '../worker/WorkerHost';
import { buffersOf } from '../worker/workerProtocol';
import { findClipFiles } from './clipFiles';
import { openClipTowers, type ClipTowerFiles, type ClipTowers } from './clipTowers';
import type { ClipWorkerApi, ClipWorkerInit } from './clipWorker';
import { readClipImageSpec } from './clipPreprocessing';
import type { ClipModel, ClipTokens } from './ClipModel';

export interface LoadClipModelOptions {
  /** intra-op threads per ONNX session. Default: onnxruntime's (all cores). */
  readonly threads?: number;
  /** Images per vision-tower run. Default 8. */
  readonly batchSize?: number;
  /**
   * Run the towers on the calling thread (for measurements). Default false: they run on a worker
   * thread, so the event loop stays live during a run. The tokenizer runs here either way.
   */
  readonly inProcess?: boolean;
}

/** The towers on a worker thread (clipWorker), behind the same interface. */
async function hostedClipTowers(files: ClipTowerFiles, threads: number | undefined): Promise<ClipTowers> {
  const { host } = await WorkerHost.start<ClipWorkerApi, ClipWorkerInit, Record<string, never>>({
    module: 'core/text/clipWorker',
    init: { files: { textModel: files.textModel, visionModel: files.visionModel }, threads },
    label: `CLIP model ${path.dirname(path.dirname(files.textModel))}`,
  });
  return {
    runText: async (tokens) => (await host.call('text', { tokens })).embeds,
    // the batch is ours: moved, not copied
    runVision: async (pixels, batch, size) => (await host.call('vision', { pixels, batch, size }, buffersOf(pixels))).embeds,
    release: () => host.terminate(),
  };
}

/** Where `loadClipModel()` looks without a folder: <package>/models/clip. */
export function defaultClipFolder(): string {
  return path.join(packageRoot(), 'models', 'clip');
}

/** Splits float32[batch, D] into L2-normalised rows. */
export function normalizedRows(data: Float32Array, batch: number): Float32Array[] {
  const d = data.length / batch;
  const rows: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const row = Float32Array.from(data.subarray(b * d, (b + 1) * d));
    let n = 0;
    for (const v of row) n += v * v;
    n = Math.sqrt(n) || 1;
    for (let i = 0; i < d; i++) row[i] /= n;
    rows.push(row);
  }
  return rows;
}

/**
 * Loads a CLIP model folder in the transformers.js layout (tokenizer.json, tokenizer_config.json,
 * optional preprocessor_config.json, onnx/text_model.onnx, onnx/vision_model.onnx). The tokenizer is
 * transformers.js's (@huggingface/transformers, offline: remote models are disabled while loading);
 * the towers run on onnxruntime-node on a worker thread (unless `inProcess`). Without a folder: <package>/models/clip.
 * Throws SamflowError('MODEL_NOT_FOUND') naming the folder and how to get the files.
 */
export async function loadClipModel(folder: string = defaultClipFolder(), opts: LoadClipModelOptions = {}): Promise<ClipModel> {
  const files = findClipFiles(folder);
  const batchSize = opts.batchSize ?? 8;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new SamflowError('BAD_OPTION', `loadClipModel: batchSize must be a whole number >= 1, got ${String(opts.batchSize)}`);
  const imageSpec = readClipImageSpec(files.preprocessorConfig);

  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  const allowRemote = env.allowRemoteModels;
  env.allowRemoteModels = false; // never reach for the Hugging Face hub; restored after loading
  let tokenizer: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  try {
    // An absolute path is read as a folder (not a hub id), so localModelPath does not apply.
    tokenizer = await AutoTokenizer.from_pretrained(files.folder, { local_files_only: true });
  } catch (e) {
    throw new SamflowError('MODEL_SIGNATURE', `CLIP: cannot load the tokenizer from ${files.folder}: ${e instanceof Error ? e.message : String(e)}`, files.tokenizerJson, {
      cause: e,
    });
  } finally {
    env.allowRemoteModels = allowRemote;
  }

  const towers = opts.inProcess ? await openClipTowers(files, opts.threads) : await hostedClipTowers(files, opts.threads);
  let released = false;
  const alive = () => {
    if (released) throw new SamflowError('MODEL_RELEASED', `CLIP model ${files.folder} was released; load it again`);
  };

  const tokenize = async (texts: readonly string[]): Promise<ClipTokens> => {
    if (!isList(texts) || texts.length === 0 || !texts.every((t) => typeof t === 'string' && t.trim() !== '')) {
      throw new SamflowError('BAD_PROMPT', `CLIP: texts must be a non-empty array of non-empty strings such as ["a cat"], got ${JSON.stringify(texts)}`);
    }
    const enc = tokenizer._call([...texts], { padding: true, truncation: true });
    const ids = enc.input_ids;
    const mask = enc.attention_mask;
    const [batch, length] = ids.dims as [number, number];
    return {
      inputIds: BigInt64Array.from(ids.data as ArrayLike<bigint>, BigInt),
      attentionMask: mask ? BigInt64Array.from(mask.data as ArrayLike<bigint>, BigInt) : new BigInt64Array(batch * length).fill(1n),
      batch,
      length,
    };
  };

  return {
    folder: files.folder,
    imageSpec,
    get released() {
      return released;
    },
    tokenize,
    async embedTexts(texts) {
      alive();
      const t = await tokenize(texts);
      return normalizedRows(await towers.runText(t), t.batch); // float32[batch, D]
    },
    async embedImages(pixels) {
      alive();
      const S = imageSpec.size;
      const plane = 3 * S * S;
      const result: Float32Array[] = [];
      for (let start = 0; start < pixels.length; start += batchSize) {
        const chunk = pixels.slice(start, start + batchSize);
        const data = new Float32Array(chunk.length * plane); // float32[batch,3,S,S]
        chunk.forEach((p, i) => {
          if (p.length !== plane) throw new SamflowError('BAD_OPTION', `CLIP: image ${start + i} has ${p.length} values; expected 3*${S}*${S} (use maskedCropToClipInput)`);
          data.set(p, i * plane);
        });
        result.push(...normalizedRows(await towers.runVision(data, chunk.length, S), chunk.length)); // float32[batch, D]
      }
      return result;
    },
    async release() {
      if (released) return;
      released = true;
      await towers.release();
    },
  };
}
