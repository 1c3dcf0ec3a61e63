import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/args';
import { run } from '../../cli/eval';
import { SamflowError } from '../../core/errors';

const repoRoot = path.resolve(__dirname, '..', '..');
const io = { stdout: (): void => undefined, stderr: (): void => undefined };

describe('samflow eval (module)', () => {
  it.each([
    [[], /name an evaluation/],
    [['video'], /unknown evaluation "video"/],
    [['interactive', '--format', 'grabcut'], /--dataset DIR is required/],
    [['interactive', '--dataset', '.'], /--format is required/],
    [['interactive', '--dataset', '.', '--format', 'coco'], /--format must be one of grabcut, binary, davis/],
    [['interactive', '--dataset', '.', '--format', 'binary', '--strategy', 'magic'], /--strategy must be one of plain, improved/],
    [['interactive', '--dataset', '.', '--format', 'binary', '--max-clicks', '0'], /--max-clicks must be >= 1/],
    [['interactive', '--dataset', '.', '--format', 'binary', '--encoder', 'e.onnx'], /--encoder and --decoder go together/],
    [['interactive', '--bogus'], /unknown option --bogus/],
  ])('refuses bad usage %j with a UsageError', async (argv, message) => {
    const p = run(argv, io);
    await expect(p).rejects.toBeInstanceOf(UsageError);
    await expect(p).rejects.toThrow(message);
  });

  it('refuses a dataset folder that does not exist with a SamflowError naming it (exit 1)', async () => {
    await expect(run(['interactive', '--dataset', '/no/such/dir', '--format', 'grabcut'], io)).rejects.toThrow(SamflowError);
    await expect(run(['interactive', '--dataset', '/no/such/dir', '--format', 'grabcut'], io)).rejects.toThrow(/\/no\/such\/dir: not a folder/);
  });
});

// End to end through the built CLI (npm test builds first); the exit codes are main.ts's mapping.
const cli = path.join(repoRoot, 'dist', 'cli', 'main.js');
describe.skipIf(!fs.existsSync(path.join(repoRoot, 'dist', 'cli', 'eval.js')))('samflow eval (built CLI)', () => {
  const exec = (...argv: string[]): { status: number | null; stderr: string } => {
    const r = spawnSync(process.execPath, [cli, 'eval', ...argv], { encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr };
  };
  it('exits 2 for bad usage and 1 for a bad dataset, with the reason on stderr', () => {
    const usage = exec('interactive', '--format', 'grabcut');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--dataset DIR is required/);
    const bad = exec('interactive', '--dataset', '/no/such/dir', '--format', 'grabcut');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/\/no\/such\/dir/);
  });
});
