/**
 * `npm run bench`: runs every benchmark module in dist/bench (each exports `run(ctx)`), records
 * failures and goes on, writes bench-results/bench.json and prints a short table.
 * Args: --only name[,name]  --quick
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchContext, BenchModule } from './BenchContext';

interface BenchEntry {
  readonly name: string;
  readonly ok: boolean;
  readonly seconds: number;
  readonly result?: Record<string, unknown>;
  readonly error?: string;
}

const NOT_BENCHMARKS = new Set(['main', 'BenchContext']);

export function parseBenchArgs(argv: readonly string[]): { only?: string[]; quick: boolean } {
  let only: string[] | undefined;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? argv[++i] : a.slice('--only='.length);
      if (!v) throw new Error('--only needs a list of benchmark names, e.g. --only core,peer');
      only = [
        ...(only ?? []),
        ...v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ];
    } else throw new Error(`unknown argument "${a}" (use --only name[,name] and/or --quick)`);
  }
  return { only, quick };
}

/** Benchmark modules beside this file (compiled .js, or .ts when run from source). */
export function discoverBenchmarks(dir: string): Map<string, string> {
  const ext = __filename.endsWith('.ts') ? '.ts' : '.js';
  const found = new Map<string, string>();
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.endsWith(ext) || f.endsWith('.d.ts')) continue;
    const name = f.slice(0, -ext.length);
    if (!NOT_BENCHMARKS.has(name)) found.set(name, path.join(dir, f));
  }
  return found;
}

export function machineFacts(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAvg1m: os.loadavg()[0],
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

function summaryCell(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Top-level numbers and strings of each result: the short table. Nested objects stay in the JSON. */
export function formatTable(entries: readonly BenchEntry[]): string {
  const lines: string[] = [];
  for (const e of entries) {
    lines.push(`${e.name} (${e.seconds.toFixed(1)} s) ${e.ok ? '' : 'FAILED: ' + e.error}`);
    if (!e.result) continue;
    for (const [k, v] of Object.entries(e.result)) {
      if (v !== null && typeof v === 'object') continue;
      lines.push(`  ${k.padEnd(40)} ${summaryCell(v)}`);
    }
  }
  return lines.join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const { only, quick } = parseBenchArgs(argv);
  const repoRoot = path.resolve(__dirname, __filename.endsWith('.ts') ? '..' : '../..');
  const dataDir = path.resolve(repoRoot, '../shared/data');
  const available = discoverBenchmarks(__dirname);
  const unknown = (only ?? []).filter((n) => !available.has(n));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown benchmark(s) ${unknown.join(', ')}; available: ${[...available.keys()].join(', ')}\n`);
    return 2;
  }
  const names = only ?? [...available.keys()];
  const machine = machineFacts();
  process.stdout.write(
    `machine: ${String(machine.cpus)} x ${String(machine.cpuModel)}, ${String(machine.totalMemGiB)} GiB, node ${process.version}, load ${String(machine.loadAvg1m)}\n`,
  );
  const entries: BenchEntry[] = [];
  for (const name of names) {
    const ctx: BenchContext = {
      dataDir: fs.existsSync(dataDir) ? dataDir : undefined,
      quick,
      repoRoot,
      log: (msg) => process.stderr.write(`[${name}] ${msg}\n`),
    };
    const t0 = performance.now();
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(available.get(name)!) as Partial<BenchModule>;
      if (typeof mod.run !== 'function') {
        if (only) throw new Error(`bench/${name} does not export run(ctx)`);
        continue; // a helper module beside the benchmarks
      }
      const result = await mod.run(ctx);
      entries.push({ name, ok: true, seconds: (performance.now() - t0) / 1000, result });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      ctx.log(`failed: ${e instanceof Error ? (e.stack ?? error) : error}`);
      entries.push({ name, ok: false, seconds: (performance.now() - t0) / 1000, error });
    }
  }
  const outDir = path.join(repoRoot, 'bench-results');
  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, 'bench.json');
  const report = { date: new Date().toISOString(), quick, machine, benchmarks: Object.fromEntries(entries.map((e) => [e.name, e])) };
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`${formatTable(entries)}\n\nwrote ${path.relative(process.cwd(), out)}\n`);
  return entries.every((e) => e.ok) ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
