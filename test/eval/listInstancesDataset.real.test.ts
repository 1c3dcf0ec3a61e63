import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SamflowError } from '../../core/errors';
import { listDavisSequences } from '../../core/eval/listDavisSequences';
import { DAVIS_COCO_CLASSES, detectInstancesDatasetFormat, listInstancesDataset } from '../../core/eval/listInstancesDataset';
import { sharedDataDir } from '../support/sharedData';

let root: string;
const touch = (...p: string[]): string => {
  fs.mkdirSync(path.join(root, ...p.slice(0, -1)), { recursive: true });
  fs.writeFileSync(path.join(root, ...p), '');
  return path.join(root, ...p);
};
const writeJson = (dir: string, value: unknown): void => {
  fs.mkdirSync(path.join(root, dir), { recursive: true });
  fs.writeFileSync(path.join(root, dir, 'instances.json'), JSON.stringify(value));
};

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'samflow-eval-inst-'));
  touch('coco', 'images', 'a.jpg');
  touch('coco', 'images', 'b.jpg');
  touch('coco', 'masks', 'a_cat0.png');
  touch('coco', 'masks', 'a_dog0.png');
  touch('coco', 'masks', 'b_dog0.png');
  writeJson('coco', [
    {
      image: 'images/a.jpg',
      instances: [
        { mask: 'masks/a_cat0.png', category: 'cat', bbox_xywh: [0, 0, 1, 1] },
        { mask: 'masks/a_dog0.png', category: 'dog' },
      ],
    },
    { image: 'images/b.jpg', instances: [{ mask: 'masks/b_dog0.png', category: 'dog' }] },
  ]);
  writeJson('missing', [{ image: 'images/none.jpg', instances: [] }]);
  writeJson('malformed', { image: 'x' });
  // DAVIS: 'dog' (a COCO class) with 25 frames, 'kite-surf' (no single class), frame 3 of dog without annotation
  for (let i = 0; i < 25; i++) {
    const f = String(i).padStart(5, '0');
    touch('davis', 'JPEGImages', '480p', 'dog', `${f}.jpg`);
    if (i !== 3) touch('davis', 'Annotations', '480p', 'dog', `${f}.png`);
    if (i < 4) {
      touch('davis', 'JPEGImages', '480p', 'kite-surf', `${f}.jpg`);
      touch('davis', 'Annotations', '480p', 'kite-surf', `${f}.png`);
    }
  }
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('listInstancesDataset', () => {
  it('reads instances.json: one item per image, the classes of its objects, paths resolved', () => {
    const dir = path.join(root, 'coco');
    expect(detectInstancesDatasetFormat(dir)).toBe('instances-json');
    const items = listInstancesDataset(dir);
    expect(items.map((i) => [i.id, i.classes])).toEqual([
      ['images/a.jpg', ['cat', 'dog']],
      ['images/b.jpg', ['dog']],
    ]);
    expect(items[0].imagePath).toBe(path.join(dir, 'images/a.jpg'));
    expect(items[0].objects).toEqual([
      { maskPath: path.join(dir, 'masks/a_cat0.png'), category: 'cat' },
      { maskPath: path.join(dir, 'masks/a_dog0.png'), category: 'dog' },
    ]);
  });

  it('keeps only the asked classes and drops images without them; limit', () => {
    const cats = listInstancesDataset(path.join(root, 'coco'), { classes: ['cat'] });
    expect(cats.map((i) => [i.id, i.classes, i.objects.length])).toEqual([['images/a.jpg', ['cat'], 1]]);
    expect(listInstancesDataset(path.join(root, 'coco'), { limit: 1 })).toHaveLength(1);
    expect(() => listInstancesDataset(path.join(root, 'coco'), { classes: ['bird'] })).toThrow(/no image has a ground-truth object of class bird/);
  });

  it('DAVIS as instances: every Nth frame of the sequences with a COCO class, unannotated frames skipped', () => {
    const dir = path.join(root, 'davis');
    expect(detectInstancesDatasetFormat(dir)).toBe('davis');
    expect(DAVIS_COCO_CLASSES['dog']).toBe('dog');
    const items = listInstancesDataset(dir); // frame step 12: 0, 12, 24
    expect(items.map((i) => i.id)).toEqual(['dog/00000', 'dog/00012', 'dog/00024']);
    expect(items[0].classes).toEqual(['dog']);
    expect(items[0].objects[0].maskPath).toBe(path.join(dir, 'Annotations/480p/dog/00000.png'));
    expect(listInstancesDataset(dir, { frameStep: 3 }).map((i) => i.id)).toEqual([
      'dog/00000',
      'dog/00006',
      'dog/00009',
      'dog/00012',
      'dog/00015',
      'dog/00018',
      'dog/00021',
      'dog/00024',
    ]);
    expect(listInstancesDataset(dir, { frameStep: 20, davisClasses: { 'kite-surf': 'person' } }).map((i) => [i.id, i.classes[0]])).toEqual([['kite-surf/00000', 'person']]);
  });

  it('names what is wrong: no folder, no layout, a missing file, a malformed instances.json', () => {
    expect(() => listInstancesDataset(path.join(root, 'nope'))).toThrow(SamflowError);
    expect(() => listInstancesDataset(path.join(root, 'nope'))).toThrow(/nope: not a folder/);
    expect(() => listInstancesDataset(path.join(root, 'coco', 'images'))).toThrow(/neither instances.json nor JPEGImages\/480p/);
    expect(() => listInstancesDataset(path.join(root, 'missing'))).toThrow(/none\.jpg does not exist/);
    expect(() => listInstancesDataset(path.join(root, 'malformed'))).toThrow(/instances\.json: not an array/);
  });
});

describe('listDavisSequences', () => {
  it('lists sequences by name with their annotated frames; sequences, frameStep, limitFrames', () => {
    const dir = path.join(root, 'davis');
    const all = listDavisSequences(dir);
    expect(all.map((s) => [s.id, s.frames.length])).toEqual([
      ['dog', 24],
      ['kite-surf', 4],
    ]);
    expect(all[0].frames[0]).toEqual({ id: '00000', imagePath: path.join(dir, 'JPEGImages/480p/dog/00000.jpg'), maskPath: path.join(dir, 'Annotations/480p/dog/00000.png') });
    const some = listDavisSequences(dir, { sequences: ['kite-surf', 'dog'], frameStep: 2, limitFrames: 3 });
    expect(some.map((s) => [s.id, s.frames.map((f) => f.id)])).toEqual([
      ['kite-surf', ['00000', '00002']],
      ['dog', ['00000', '00002', '00004']],
    ]);
  });

  it('refuses an unknown sequence (naming the ones there), a non-DAVIS folder, and too few frames', () => {
    const dir = path.join(root, 'davis');
    expect(() => listDavisSequences(dir, { sequences: ['cat'] })).toThrow(/no sequence "cat"; it has dog, kite-surf/);
    expect(() => listDavisSequences(path.join(root, 'coco'))).toThrow(/needs a folder JPEGImages\/480p/);
    expect(() => listDavisSequences(dir, { sequences: ['kite-surf'], frameStep: 4 })).toThrow(/kite-surf has 1 annotated frame/);
    expect(() => listDavisSequences(dir, { limitFrames: 1 })).toThrow(/limitFrames must be an integer >= 2/);
  });
});

describe.skipIf(!sharedDataDir)('the shared data layouts', () => {
  it('coco-cats: 3 images with one cat each; davis: 5 sequences, 240 frames', () => {
    const cats = listInstancesDataset(path.join(sharedDataDir!, 'coco-cats'), { classes: ['cat'] });
    expect(cats.map((i) => i.objects.length)).toEqual([1, 1, 1]);
    const davis = listDavisSequences(path.join(sharedDataDir!, 'davis'));
    expect(davis.map((s) => s.id)).toEqual(['blackswan', 'car-shadow', 'dog', 'kite-surf', 'motocross-jump']);
    expect(davis.reduce((n, s) => n + s.frames.length, 0)).toBe(240);
    // bench/instances.ts' DAVIS items: every 12th frame of blackswan, dog, car-shadow
    expect(listInstancesDataset(path.join(sharedDataDir!, 'davis')).length).toBe(5 + 5 + 4);
  });
});
