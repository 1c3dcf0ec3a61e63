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

export { median } from '../core/eval/median';

/** Nearest-rank percentile `p` (0–100) of a list; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Round to `digits` decimals for the JSON (timings are noisy well before the 3rd decimal). */
export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
