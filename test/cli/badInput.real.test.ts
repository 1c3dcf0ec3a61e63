import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli';

// The CLI resolves sibling command modules from its own folder: in-process runs need the build.
const built = existsSync(path.resolve(__dirname, '../../dist/cli/segment.js'));
const tmp = mkdtempSync(path.join(tmpdir(), 'samflow-cli-bad-'));
const image = path.join(tmp, 'img.png');
const thin = path.join(tmp, 'thin-4000x1.png');

beforeAll(async () => {
  writeFileSync(
    image,
    await sharp({ create: { width: 120, height: 80, channels: 3, background: '#808080' } })
      .png()
      .toBuffer(),
  );
  writeFileSync(
    thin,
    await sharp({ create: { width: 4000, height: 1, channels: 3, background: '#c02020' } })
      .png()
      .toBuffer(),
  );
});

const manyPoints = Array.from({ length: 65 }, (_, i) => ['--point', `${i},10`]).flat();

describe.skipIf(!built)('samflow segment: bad input is named, with the right exit code, before the model runs', () => {
  // a model id that cannot load: a case that reaches the model would exit 1 with MODEL_NOT_FOUND instead
  const noModel = ['--model', 'no-such-model-here'];
  it.each<[string, string[], number, RegExp]>([
    ['--point ,10 (empty x)', ['--point', ',10'], 2, /--point ",10": "" is not a number/],
    ['--point 10, (empty y)', ['--point', '10,'], 2, /--point "10,": "" is not a number/],
    ['--point a,b', ['--point', 'a,b'], 2, /"a" is not a number/],
    ['--box with an empty part', ['--box', '1,2,,40'], 2, /--box "1,2,,40": "" is not a number/],
    ['--out into a missing folder', ['--point', '10,10', '--out', path.join(tmp, 'missing', 'm.png')], 2, /--out .*the folder .*missing does not exist; create it first/],
    ['--overlay into a missing folder', ['--point', '10,10', '--overlay', path.join(tmp, 'nope', 'o.png')], 2, /--overlay .*does not exist/],
    ['--out is a folder', ['--point', '10,10', '--out', tmp], 2, /is a folder; give a file name/],
    ['65 points (limit 64)', manyPoints, 1, /65 is over the limit of 64; send fewer, or raise the maxPointsPerPrompt option/],
  ])('%s', async (_name, args, code, message) => {
    const r = await runCli(['segment', image, ...args, ...noModel]);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.code).toBe(code);
  });

  it.each([
    ['everything', ['--out', path.join(tmp, 'missing', 'r.json')]],
    ['everything', ['--overlay', path.join(tmp, 'missing', 'o.png')]],
    ['edges', ['--out', path.join(tmp, 'missing', 'e.png')]],
    ['instances', ['--overlay', path.join(tmp, 'missing', 'o.png')]],
  ])('samflow %s %s into a missing folder: exit 2 before any model loads', async (cmd, args) => {
    const r = await runCli([cmd, image, ...args, '--model', 'no-such-model-here']);
    expect(r.stderr).toMatch(/does not exist; create it first/);
    expect(r.code).toBe(2);
  });

  it('a 4000x1 image segments (the short side stays 1 px)', async () => {
    const r = await runCli(['segment', thin, '--point', '2000,0', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { width: number; height: number; masks: Array<{ segmentation: { size: number[] } }> };
    expect([json.width, json.height]).toEqual([4000, 1]);
    expect(json.masks[0].segmentation.size).toEqual([1, 4000]);
  });
});
