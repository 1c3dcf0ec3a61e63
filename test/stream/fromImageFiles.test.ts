import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import sharp from 'sharp';
import { fromImageFiles, globToRegExp, listImageFiles } from '../../core/stream/fromImageFiles';
import { fromRawFrames } from '../../core/stream/fromRawFrames';
import type { SkippedItem } from '../../core/stream/SkippedItem';

let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samflow-files-'));
  fs.mkdirSync(path.join(dir, 'sub'));
  const png = (w: number) =>
    sharp({ create: { width: w, height: 2, channels: 3, background: { r: 9, g: 8, b: 7 } } })
      .png()
      .toBuffer();
  fs.writeFileSync(path.join(dir, 'b.png'), await png(2));
  fs.writeFileSync(path.join(dir, 'a.PNG'), await png(3));
  fs.writeFileSync(path.join(dir, 'broken.png'), Buffer.from('not a png at all'));
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'hello');
  fs.writeFileSync(
    path.join(dir, 'sub', 'c.jpg'),
    await sharp({ create: { width: 4, height: 2, channels: 3, background: '#000' } })
      .jpeg()
      .toBuffer(),
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('globToRegExp', () => {
  it('matches *, **, ? and {a,b} over relative paths', () => {
    expect(globToRegExp('*.png').test('a.png')).toBe(true);
    expect(globToRegExp('*.png').test('sub/a.png')).toBe(false);
    expect(globToRegExp('**/*.png').test('sub/deep/a.png')).toBe(true);
    expect(globToRegExp('**/*.png').test('a.png')).toBe(true);
    expect(globToRegExp('img-?.{jpg,png}').test('img-7.jpg')).toBe(true);
    expect(globToRegExp('img-?.{jpg,png}').test('img-77.jpg')).toBe(false);
  });
});

describe('fromImageFiles', () => {
  it('lists a directory (sorted, images only, not recursive by default) and recursive / glob forms', async () => {
    const names = (l: string[]) => l.map((f) => path.relative(dir, f));
    expect(names(await listImageFiles(dir))).toEqual(['a.PNG', 'b.png', 'broken.png']);
    expect(names(await listImageFiles(dir, { recursive: true }))).toEqual(['a.PNG', 'b.png', 'broken.png', path.join('sub', 'c.jpg')]);
    expect(names(await listImageFiles(`${dir}/**/*.jpg`))).toEqual([path.join('sub', 'c.jpg')]);
    await expect(listImageFiles(path.join(dir, 'nope'))).rejects.toThrow(/does not exist/);
  });

  it('emits decoded frames with the path as id and skips (reports) a broken file by default', async () => {
    const skipped: SkippedItem[] = [];
    const frames = await lastValueFrom(fromImageFiles(dir, { errors: (s) => skipped.push(s) }).pipe(toArray()));
    expect(frames.map((f) => [path.basename(f.id), f.width])).toEqual([
      ['a.PNG', 3],
      ['b.png', 2],
    ]);
    expect(Array.from(frames[0].rgb.slice(0, 3))).toEqual([9, 8, 7]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0].message).toContain('broken.png');
    await expect(lastValueFrom(fromImageFiles(dir, { onError: 'throw' }).pipe(toArray()))).rejects.toMatchObject({ code: 'BAD_IMAGE' });
  });
});

describe('fromRawFrames', () => {
  it('converts gray and RGBA buffers to RGB, numbering frames without ids', async () => {
    const frames = await lastValueFrom(
      fromRawFrames([
        { data: Uint8Array.of(10, 20), width: 2, height: 1, channels: 1 },
        { data: Uint8Array.of(1, 2, 3, 255), width: 1, height: 1, channels: 4, id: 'cam', timestamp: 42 },
      ]).pipe(toArray()),
    );
    expect(frames.map((f) => f.id)).toEqual(['raw-0', 'cam']);
    expect(Array.from(frames[0].rgb)).toEqual([10, 10, 10, 20, 20, 20]);
    expect(Array.from(frames[1].rgb)).toEqual([1, 2, 3]);
    expect(frames[1].timestamp).toBe(42);
  });

  it('errors on a buffer of the wrong length, or skips it when asked', async () => {
    const bad = { data: new Uint8Array(5), width: 2, height: 2, channels: 3 as const, id: 'short' };
    await expect(lastValueFrom(fromRawFrames([bad]))).rejects.toMatchObject({ code: 'BAD_IMAGE' });
    const skipped: SkippedItem[] = [];
    const out = await lastValueFrom(fromRawFrames([bad], { onError: 'skip', errors: (s) => skipped.push(s) }).pipe(toArray()));
    expect(out).toEqual([]);
    expect(skipped[0].itemId).toBe('short');
  });
});
