import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { median } from '../../bench/BenchContext';
import { discoverBenchmarks, formatTable, parseBenchArgs } from '../../bench/main';

describe('bench runner', () => {
  it('parses --only lists (repeatable, comma-separated) and --quick, and refuses anything else', () => {
    expect(parseBenchArgs([])).toEqual({ only: undefined, quick: false });
    expect(parseBenchArgs(['--only', 'core,peer', '--quick', '--only=amg'])).toEqual({ only: ['core', 'peer', 'amg'], quick: true });
    expect(() => parseBenchArgs(['--only'])).toThrow(/--only needs a list/);
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown argument "--fast"/);
  });

  it('discovers benchmark modules beside it, leaving out main, BenchContext and declaration files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samflow-bench-'));
    const ext = path.extname(__filename); // the runner looks for its own extension (.ts from source)
    for (const f of [`main${ext}`, `BenchContext${ext}`, `core${ext}`, `peer${ext}`, 'x.d.ts', 'notes.md']) fs.writeFileSync(path.join(dir, f), '');
    expect([...discoverBenchmarks(dir).keys()]).toEqual(['core', 'peer']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints top-level values of each result and marks failures with their error', () => {
    const table = formatTable([
      { name: 'core', ok: true, seconds: 1.25, result: { encoderRatio: 1.034, threads: 2, samples: { a: [1] } } },
      { name: 'peer', ok: false, seconds: 0.5, error: 'chromium not found' },
    ]);
    expect(table).toContain('encoderRatio');
    expect(table).toContain('1.034');
    expect(table).not.toContain('samples');
    expect(table).toMatch(/peer \(0\.5 s\) FAILED: chromium not found/);
  });

  it('takes medians of odd and even samples', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
