import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SamflowError } from '../../core/errors';
import { listInteractiveDataset } from '../../core/eval/listInteractiveDataset';

let root: string;
const touch = (...p: string[]): void => {
  fs.mkdirSync(path.join(root, ...p.slice(0, -1)), { recursive: true });
  fs.writeFileSync(path.join(root, ...p), '');
};

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'samflow-eval-'));
  // grabcut: mixed extensions, a bmp + png pair for one stem, an image without ground truth
  touch('gc', 'data_GT', 'b.JPG');
  touch('gc', 'data_GT', 'a.png');
  touch('gc', 'data_GT', 'nogt.jpg');
  touch('gc', 'boundary_GT', 'a.bmp');
  touch('gc', 'boundary_GT', 'a.png');
  touch('gc', 'boundary_GT', 'b.png');
  // binary
  touch('bin', 'images', 'x.jpg');
  touch('bin', 'masks', 'x.png');
  touch('bin', 'masks', 'notes.txt');
  // davis: 5 frames of one sequence, annotations for all, one sequence without annotations
  for (let i = 0; i < 5; i++) {
    touch('dv', 'JPEGImages', '480p', 'seq', `0000${i}.jpg`);
    touch('dv', 'Annotations', '480p', 'seq', `0000${i}.png`);
  }
  touch('dv', 'JPEGImages', '480p', 'lonely', '00000.jpg');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('listInteractiveDataset', () => {
  it('pairs GrabCut images with their boundary_GT masks by stem, preferring PNG ground truth', () => {
    const items = listInteractiveDataset(path.join(root, 'gc'), 'grabcut');
    expect(items.map((i) => [i.id, path.basename(i.imagePath), path.basename(i.maskPath), i.encoding])).toEqual([
      ['a', 'a.png', 'a.png', 'grabcut'],
      ['b', 'b.JPG', 'b.png', 'grabcut'],
    ]);
    expect(listInteractiveDataset(path.join(root, 'gc'), 'grabcut', { limit: 1 })).toHaveLength(1);
  });

  it('reads the binary layout (images/ + masks/) as > 127 masks', () => {
    const items = listInteractiveDataset(path.join(root, 'bin'), 'binary');
    expect(items.map((i) => [i.id, i.encoding])).toEqual([['x', 'binary']]);
  });

  it('takes every Nth DAVIS frame per sequence, frame 0 included', () => {
    const ids = listInteractiveDataset(path.join(root, 'dv'), 'davis', { frameStep: 2 }).map((i) => i.id);
    expect(ids).toEqual(['seq/00000', 'seq/00002', 'seq/00004']);
  });

  it('names the missing folder when the layout does not match', () => {
    expect(() => listInteractiveDataset(path.join(root, 'bin'), 'grabcut')).toThrow(/needs a folder data_GT/);
    expect(() => listInteractiveDataset(path.join(root, 'nope'), 'binary')).toThrow(SamflowError);
  });
});
