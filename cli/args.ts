import * as fs from 'node:fs';
import * as path from 'node:path';
/**
 * A small, strict argument parser shared by every subcommand. Unknown flags, missing values and
 * malformed numbers throw UsageError (exit code 2) naming the flag.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type OptionKind = 'string' | 'number' | 'integer' | 'boolean' | 'list';

export interface OptionSpec {
  readonly kind: OptionKind;
  /** For numbers: inclusive bounds, checked with a message naming the flag. */
  readonly min?: number;
  readonly max?: number;
  /** min is exclusive (e.g. counts that must be > 0). */
  readonly minExclusive?: boolean;
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Map<string, string | number | boolean | string[]>;
}

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, OptionSpec>>): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | number | boolean | string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option --${name}`);
    if (s.kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      options.set(name, true);
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (s.kind === 'string') options.set(name, value);
    else if (s.kind === 'list') {
      const prev = options.get(name);
      options.set(name, [...(Array.isArray(prev) ? prev : []), value]);
    } else options.set(name, parseNumberOption(name, value, s));
  }
  return { positionals, options };
}

export function parseNumberOption(name: string, value: string, s: OptionSpec): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${value}"`);
  if (s.kind === 'integer' && !Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got "${value}"`);
  if (s.min !== undefined && (s.minExclusive ? n <= s.min : n < s.min)) {
    throw new UsageError(`--${name} must be ${s.minExclusive ? '>' : '>='} ${s.min}, got ${value}`);
  }
  if (s.max !== undefined && n > s.max) throw new UsageError(`--${name} must be <= ${s.max}, got ${value}`);
  return n;
}

/** Typed getters over ParsedArgs.options. */
export function getString(a: ParsedArgs, name: string): string | undefined {
  const v = a.options.get(name);
  return typeof v === 'string' ? v : undefined;
}
export function getNumber(a: ParsedArgs, name: string): number | undefined {
  const v = a.options.get(name);
  return typeof v === 'number' ? v : undefined;
}
/**
 * A file to write (`--out`, `--overlay`): checked before any work so a typo in the folder fails at
 * once (exit 2) instead of after the model ran.
 */
export function getOutputPath(a: ParsedArgs, name: string): string | undefined {
  const file = getString(a, name);
  if (file === undefined) return undefined;
  if (file.trim() === '') throw new UsageError(`--${name} needs a file name`);
  const dir = path.dirname(path.resolve(file));
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(dir);
  } catch {
    st = undefined;
  }
  if (!st) throw new UsageError(`--${name} ${file}: the folder ${dir} does not exist; create it first`);
  if (!st.isDirectory()) throw new UsageError(`--${name} ${file}: ${dir} is not a folder`);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UsageError(`--${name} ${file} is a folder; give a file name`);
  return file;
}
export function getFlag(a: ParsedArgs, name: string): boolean {
  return a.options.get(name) === true;
}
export function getList(a: ParsedArgs, name: string): string[] {
  const v = a.options.get(name);
  return Array.isArray(v) ? v : [];
}
