/** What `bench/main.ts` hands every benchmark module's `run(ctx)`. */
export interface BenchContext {
  /** ../shared/data when it exists (real photos, GrabCut, DAVIS); undefined on a user's machine. */
  readonly dataDir?: string;
  /** --quick: fewer repetitions / images, for a smoke run. */
  readonly quick: boolean;
  /** Progress lines (stderr), prefixed with the benchmark's name. */
  log(msg: string): void;
  /** The repository root (where package.json is). */
  readonly repoRoot: string;
}

/** The shape of every bench/<name>.ts module. Results are plain JSON values. */
export interface BenchModule {
  run(ctx: BenchContext): Promise<Record<string, unknown>>;
}

/** Median of a non-empty list (mean of the middle two for even lengths). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Round to `digits` decimals for the JSON (timings are noisy well before the 3rd decimal). */
export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
