import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyAnnotationState, loadAnnotationState, saveAnnotationState, type AnnotationState } from '../../core/annotate/AnnotationState';
import { stateToCoco } from '../../core/annotate/stateToCoco';

const dir = mkdtempSync(path.join(tmpdir(), 'samflow-annotate-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sample(): AnnotationState {
  const s = emptyAnnotationState(['cat', 'dog']);
  const seg = { size: [4, 4] as const, counts: '04' };
  s.images['b.png'] = { width: 4, height: 4, done: true, objects: [{ id: 3, label: 'dog', segmentation: seg, area: 4, bbox: [0, 0, 1, 3], source: 'manual', score: 0.9 }] };
  s.images['a.png'] = {
    width: 4,
    height: 4,
    done: false,
    objects: [
      { id: 1, label: 'bird', segmentation: seg, area: 4, bbox: [0, 0, 1, 3], source: 'auto' },
      { id: 2, label: 'cat', segmentation: seg, area: 4, bbox: [0, 0, 1, 3], source: 'manual', score: 0.5 },
    ],
  };
  s.images['c.png'] = { width: 8, height: 2, done: true, objects: [] };
  s.nextObjectId = 4;
  return s;
}

describe('annotation state', () => {
  it('a missing file is an empty state with the given labels', async () => {
    const s = await loadAnnotationState(path.join(dir, 'none.json'), ['a', 'b', 'a']);
    expect(s).toEqual({ version: 1, labels: ['a', 'b'], images: {}, nextObjectId: 1 });
  });

  it('saves atomically (no temporary files left) and loads back equal', async () => {
    const file = path.join(dir, 'state.json');
    await saveAnnotationState(file, sample());
    await saveAnnotationState(file, sample());
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(await loadAnnotationState(file)).toEqual(sample());
  });

  it('repairs nextObjectId from the objects and adds new labels from the options', async () => {
    const file = path.join(dir, 'old.json');
    writeFileSync(file, JSON.stringify({ ...sample(), nextObjectId: 1 }));
    const s = await loadAnnotationState(file, ['fish']);
    expect(s.nextObjectId).toBe(4);
    expect(s.labels).toEqual(['cat', 'dog', 'fish']);
  });

  it('refuses a file that is not a state file instead of overwriting it', async () => {
    const file = path.join(dir, 'other.json');
    writeFileSync(file, '{"images": []}');
    await expect(loadAnnotationState(file)).rejects.toThrow(/not a samflow annotation state/);
    writeFileSync(file, 'not json');
    await expect(loadAnnotationState(file)).rejects.toThrow(/not valid JSON/);
    expect(readFileSync(file, 'utf8')).toBe('not json');
  });
});

describe('stateToCoco', () => {
  it('orders images by the folder listing, numbers categories by label order, keeps object order', () => {
    const coco = stateToCoco(sample(), ['a.png', 'b.png', 'c.png', 'unopened.png']);
    expect(coco.images).toEqual([
      { id: 1, file_name: 'a.png', width: 4, height: 4 },
      { id: 2, file_name: 'b.png', width: 4, height: 4 },
      { id: 3, file_name: 'c.png', width: 8, height: 2 },
    ]);
    // labels list first (cat, dog), then labels found on objects (bird)
    expect(coco.categories).toEqual([
      { id: 1, name: 'cat' },
      { id: 2, name: 'dog' },
      { id: 3, name: 'bird' },
    ]);
    expect(coco.annotations.map((a) => [a.id, a.image_id, a.category_id, a.score])).toEqual([
      [1, 1, 3, undefined],
      [2, 1, 1, 0.5],
      [3, 2, 2, 0.9],
    ]);
    expect(coco.annotations[0]).not.toHaveProperty('score');
    expect(coco.annotations.every((a) => a.iscrowd === 0)).toBe(true);
  });
});
