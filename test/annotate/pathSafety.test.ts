import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnnotateHttpError } from '../../core/annotate/AnnotateHttpError';
import { listImages } from '../../core/annotate/listImages';
import { resolveInFolder } from '../../core/annotate/resolveInFolder';

let base: string;
let folder: string;
let outside: string;

beforeAll(() => {
  base = realpathSync(mkdtempSync(path.join(tmpdir(), 'samflow-annotate-safety-')));
  folder = path.join(base, 'images');
  outside = path.join(base, 'secret');
  mkdirSync(path.join(folder, 'sub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(folder, 'a.png'), 'x');
  writeFileSync(path.join(folder, 'img10.jpg'), 'x');
  writeFileSync(path.join(folder, 'img2.jpg'), 'x');
  writeFileSync(path.join(folder, 'notes.txt'), 'x');
  writeFileSync(path.join(folder, '.hidden.png'), 'x');
  writeFileSync(path.join(folder, 'sub', 'b.webp'), 'x');
  writeFileSync(path.join(outside, 'secret.png'), 'x');
  symlinkSync(path.join(outside, 'secret.png'), path.join(folder, 'escape.png'));
  symlinkSync(outside, path.join(folder, 'escapedir'));
  symlinkSync(path.join(folder, 'a.png'), path.join(folder, 'inner-link.png'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function refusal(rel: unknown): Promise<AnnotateHttpError> {
  try {
    await resolveInFolder(folder, rel);
  } catch (e) {
    expect(e).toBeInstanceOf(AnnotateHttpError);
    return e as AnnotateHttpError;
  }
  throw new Error(`expected ${String(rel)} to be refused`);
}

describe('resolveInFolder', () => {
  it('resolves files inside the folder, in sub-folders and through links that stay inside', async () => {
    expect(await resolveInFolder(folder, 'a.png')).toBe(path.join(folder, 'a.png'));
    expect(await resolveInFolder(folder, 'sub/b.webp')).toBe(path.join(folder, 'sub', 'b.webp'));
    expect(await resolveInFolder(folder, 'inner-link.png')).toBe(path.join(folder, 'a.png'));
  });

  it('refuses ".." anywhere, with a message that says only files inside the folder are readable', async () => {
    for (const rel of ['../secret/secret.png', 'sub/../../secret/secret.png', 'sub/..\\..\\secret\\secret.png', '..']) {
      const e = await refusal(rel);
      expect(e.status).toBe(403);
      expect(e.message).toMatch(/inside the annotation folder/);
    }
  });

  it('refuses absolute paths (posix, windows drive, UNC-like)', async () => {
    for (const rel of [path.join(outside, 'secret.png'), '/etc/passwd.png', 'C:/x.png', '\\\\server\\x.png']) {
      const e = await refusal(rel);
      expect(e.status).toBe(403);
      expect(e.message).toMatch(/absolute/);
    }
  });

  it('refuses symlinks whose target is outside the folder (file and folder links)', async () => {
    const e1 = await refusal('escape.png');
    expect(e1.status).toBe(403);
    expect(e1.message).toMatch(/outside the annotation folder/);
    const e2 = await refusal('escapedir/secret.png');
    expect(e2.status).toBe(403);
  });

  it('refuses non-images, missing files, empty names and NUL bytes with the right status', async () => {
    expect((await refusal('notes.txt')).status).toBe(403);
    expect((await refusal('missing.png')).status).toBe(404);
    expect((await refusal('')).status).toBe(400);
    expect((await refusal(42)).status).toBe(400);
    expect((await refusal('a.png\0.png')).status).toBe(400);
    expect((await refusal('sub')).status).toBe(403);
  });
});

describe('listImages', () => {
  it('lists images in natural order, with sub-folders, skipping hidden files, non-images and escaping links', async () => {
    expect(await listImages(folder)).toEqual(['a.png', 'img2.jpg', 'img10.jpg', 'inner-link.png', 'sub/b.webp']);
  });
  it('respects maxDepth and maxFiles', async () => {
    expect(await listImages(folder, { maxDepth: 0 })).toEqual(['a.png', 'img2.jpg', 'img10.jpg', 'inner-link.png']);
    expect(await listImages(folder, { maxFiles: 2 })).toEqual(['a.png', 'img2.jpg']);
  });
});
