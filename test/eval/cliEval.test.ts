import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/args';
import { run } from '../../cli/eval';
import { SamflowError } from '../../core/errors';
import { runCli } from '../support/runCli';

const repoRoot = path.resolve(__dirname, '..', '..');
const io = { stdout: (): void => undefined, stderr: (): void => undefined };

describe('samflow eval (module)', () => {
  it.each([
    [[], /name an evaluation/],
    [['bogus'], /unknown evaluation "bogus"; this version has: interactive, instances, video/],
    [['--json', 'video', '--dataset', '.'], /put the evaluation's name first/],
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

describe('samflow eval instances|video: bad usage exits 2 naming the flag, a bad dataset exits 1', () => {
  it.each([
    [['instances'], /--dataset DIR is required/],
    [['instances', '--dataset', '.', '--format', 'coco'], /--format must be one of instances-json, davis, got "coco"/],
    [['instances', '--dataset', '.', '--class', 'unicorn'], /--class: unknown class name\(s\) "unicorn"/],
    [['instances', '--dataset', '.', '--min-score', '2'], /--min-score must be <= 1/],
    [['instances', '--dataset', '.', '--limit', '0'], /--limit must be >= 1/],
    [['instances', '--dataset', '.', '--backend', 'gpu'], /--backend must be one of/],
    [['instances', '--dataset', '.', '--encoder', 'e.onnx'], /--encoder and --decoder go together/],
    [['instances', '--dataset', '.', '--max-clicks', '3'], /unknown option --max-clicks/],
    [['instances', 'extra', '--dataset', '.'], /unexpected argument "extra"/],
    [['video'], /--dataset DIR is required/],
    [['video', '--dataset', '.', '--prompt-mode', 'mask'], /--prompt-mode must be one of box, box\+point, box\+mask, box\+mask\+point, got "mask"/],
    [['video', '--dataset', '.', '--frame-step', '0'], /--frame-step must be >= 1/],
    [['video', '--dataset', '.', '--limit-frames', '1'], /--limit-frames must be >= 2/],
    [['video', '--dataset', '.', '--limit-frames', 'x'], /--limit-frames must be a number/],
    [['video', '--dataset', '.', '--sequences', ','], /--sequences needs sequence names/],
    [['video', '--dataset', '.', '--class', 'cat'], /unknown option --class/],
  ])('%j exits 2', async (argv, message) => {
    const r = await runCli(['eval', ...argv]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/usage: samflow eval instances/); // the usage follows the reason
    expect(r.stdout).toBe('');
  });

  it.each([
    [['instances', '--dataset', '/no/such/dir'], /\/no\/such\/dir: not a folder/],
    [['instances', '--dataset', __dirname], /neither instances.json nor JPEGImages\/480p/],
    [['video', '--dataset', '/no/such/dir'], /the DAVIS layout needs a folder JPEGImages\/480p/],
  ])('%j exits 1 naming the folder', async (argv, message) => {
    const r = await runCli(['eval', ...argv]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it('the usage lists the three evaluations and no longer says they are missing', async () => {
    const r = await runCli(['eval', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/samflow eval interactive --dataset/);
    expect(r.stdout).toMatch(/samflow eval instances --dataset/);
    expect(r.stdout).toMatch(/samflow eval video --dataset/);
    expect(r.stdout).not.toMatch(/not part of this command yet/);
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
