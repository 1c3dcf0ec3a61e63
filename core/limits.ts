import { SamflowError, type SamflowErrorCode } from './errors';

/**
 * Every size a user controls, in one place. Each face (library, operators, Node-RED nodes, CLI,
 * annotation server) checks its input against these before allocating anything for it, and throws
 * SamflowError naming the input, its size, the limit and the option that raises it. Each limit is
 * an option with the default below; raising one is the caller's decision.
 */
export interface SamflowLimits {
  /**
   * Points (clicks) in one prompt. Default 64. SAM was trained with a handful: one to a few clicks
   * per mask plus up to ~10 correction clicks (the SAM paper's interactive training simulates 11
   * rounds); masks stop improving after ~5–10 clicks. The decoder's cost grows with the number of
   * prompt tokens (10,000 points took 17 s and 11 GB), so anything past a few dozen is a mistake or
   * an attack, never a better mask. 64 matches the annotation page.
   */
  readonly maxPointsPerPrompt: number;
  /** Prompts in one message or batch (each is one decoder run). Default 256. */
  readonly maxPromptsPerMessage: number;
  /** Boxes / detections in one message (each becomes a prompt). Default 1000. */
  readonly maxBoxes: number;
  /** Pixels (width × height) of an image, checked from the header before decoding. Default 100 MP. */
  readonly maxPixels: number;
  /** Pixels of an RLE's size [h, w]: the bytes `rleToMask` would allocate. Default 100 MP. */
  readonly maxRlePixels: number;
  /** Automatic mask generation: points per side of a grid. Default 256 (65,536 decoder runs). */
  readonly maxPointsPerSide: number;
  /** Automatic mask generation: grid points over all crop layers. Default 262,144. */
  readonly maxGridPoints: number;
  /** JSON request bodies (annotation server). Default 1 MiB. */
  readonly maxBodyBytes: number;
}

export const DEFAULT_LIMITS: SamflowLimits = Object.freeze({
  maxPointsPerPrompt: 64,
  maxPromptsPerMessage: 256,
  maxBoxes: 1000,
  maxPixels: 100_000_000,
  maxRlePixels: 100_000_000,
  maxPointsPerSide: 256,
  maxGridPoints: 262_144,
  maxBodyBytes: 1024 * 1024,
});

/**
 * Throws when `count` is over `limit`: "`what`: `count` … is over the limit of `limit`; `hint`".
 * Call it before allocating anything sized by `count`.
 */
export function checkLimit(
  what: string,
  count: number,
  limit: number,
  /** The option that raises the limit (a SamflowLimits key, or a face's own option name). */
  option: string,
  code: SamflowErrorCode = 'BAD_PROMPT',
  source?: string,
): void {
  if (count > limit) {
    throw new SamflowError(code, `${what}: ${count} is over the limit of ${limit}; send fewer, or raise the ${option} option`, source);
  }
}

/** A limit option: a positive integer (or Infinity), else BAD_OPTION naming it. */
export function limitOption(name: keyof SamflowLimits, value: number | undefined): number {
  const v = value ?? DEFAULT_LIMITS[name];
  if (typeof v !== 'number' || !(v >= 1) || (!Number.isInteger(v) && v !== Infinity)) {
    throw new SamflowError('BAD_OPTION', `${name} must be a positive integer (or Infinity), got ${String(value)}`);
  }
  return v;
}

type Inspect = (v: unknown, options: Readonly<Record<string, unknown>>) => string;
/**
 * node:util's inspect in Node, taken without importing a Node module: the annotation page loads
 * this file as an ES module too (dist/browser), where there is no inspect.
 */
const inspect = (globalThis as { process?: { getBuiltinModule?: (id: string) => { inspect?: Inspect } | undefined } }).process?.getBuiltinModule?.('node:util')?.inspect;

function describeInBrowser(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return `[Function ${v.name || '(anonymous)'}]`;
  if (typeof v === 'symbol' || typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  return JSON.stringify(v) ?? Object.prototype.toString.call(v);
}

/**
 * A short, safe description of any user value for error messages: never throws (circular
 * structures, BigInt, getters) and never grows with the input (at most `max` characters).
 */
export function describeValue(v: unknown, max = 80): string {
  let s: string;
  try {
    s = inspect ? inspect(v, { depth: 2, maxArrayLength: 6, maxStringLength: max, breakLength: Infinity, compact: true }) : describeInBrowser(v);
  } catch {
    s = Object.prototype.toString.call(v);
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * Array.isArray without narrowing: a checked argument keeps its declared type (Array.isArray turns a
 * `readonly T[]` into `any[]`), for validating values that callers may pass wrongly at run time.
 */
export function isList(v: unknown): boolean {
  return Array.isArray(v);
}
