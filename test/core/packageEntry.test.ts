import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const built = existsSync(path.join(root, 'dist/core/index.mjs'));

/** Runs a snippet with node in the repo root, where 'samflow' resolves to this package (self-reference). */
function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
}

describe.skipIf(!built)('the built package entry', () => {
  it('is importable from CommonJS with require()', () => {
    const out = node(['-e', "const s = require('samflow'); console.log([typeof s.decodeImage, typeof s.loadSamModel, typeof s.decodeMasks, typeof s.SamTransform].join(','))"]);
    expect(out.trim()).toBe('function,function,function,function');
  });

  it('is importable from ESM with named imports', () => {
    const out = node([
      '--input-type=module',
      '-e',
      "import { decodeImage, loadSamModel, maskToRle, SamflowError } from 'samflow'; import def from 'samflow'; console.log([typeof decodeImage, typeof loadSamModel, typeof maskToRle, typeof SamflowError, typeof def.encodeImage].join(','))",
    ]);
    expect(out.trim()).toBe('function,function,function,function,function');
  });
});
