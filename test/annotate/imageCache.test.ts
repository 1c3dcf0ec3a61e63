/**
 * ImageCache (the annotation session's images and embeddings): the encoder runs once per image, the
 * next image is encoded in the background without a request, that prefetch never evicts the open
 * image, a failed decode is not cached, and close() waits for encodes in flight.
 */
import { realpathSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageCache } from '../../core/annotate/ImageCache';
import { FakeSamModel } from '../operators/FakeSamModel';
import { makeSceneFolder } from './annotateFixtures';

let folder: string;
beforeAll(async () => {
  folder = realpathSync(await makeSceneFolder('samflow-image-cache-'));
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

function cacheWith(model: FakeSamModel, prefetchIdleMs = 1): ImageCache {
  return new ImageCache({ folderReal: folder, model, maxPixels: 1e6, prefetchIdleMs });
}

describe('ImageCache', () => {
  it('encodes each image once: the same promise until it is evicted', async () => {
    const model = new FakeSamModel('auto');
    const cache = cacheWith(model);
    const a = await cache.embedding('01-shapes.png');
    expect(await cache.embedding('01-shapes.png')).toBe(a);
    expect(model.encoderCalls).toBe(1);
    expect([a.frame.width, a.frame.height]).toEqual([480, 360]);
    const jpeg = await cache.imageJpeg('01-shapes.png');
    expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(model.encoderCalls).toBe(1);
    await cache.close(['01-shapes.png']);
  });

  it('prefetch encodes the next image without a request and keeps the open one cached', async () => {
    const model = new FakeSamModel('auto');
    const cache = cacheWith(model);
    const open = await cache.embedding('01-shapes.png');
    cache.prefetch('01-shapes.png', '02-pair.png');
    await expect.poll(() => model.encoderCalls).toBe(2);
    const next = await cache.embedding('02-pair.png');
    expect(next.frame.id).toBe('02-pair.png');
    expect(await cache.embedding('01-shapes.png')).toBe(open);
    expect(model.encoderCalls).toBe(2);
    // nothing after the last image, nothing for an image already encoded
    cache.prefetch('02-pair.png', undefined);
    cache.prefetch('01-shapes.png', '02-pair.png');
    await cache.close(['01-shapes.png', '02-pair.png']);
    expect(model.encoderCalls).toBe(2);
  });

  it('a failed decode is not cached; the relative name is in the message, never the folder', async () => {
    const model = new FakeSamModel('auto');
    const cache = cacheWith(model);
    for (let i = 0; i < 2; i++) {
      const err = await cache.embedding('03-broken.png').then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toContain('03-broken.png');
      expect(err?.message).not.toContain(folder);
    }
    expect(model.encoderCalls).toBe(0);
    await cache.close([]);
  });

  it('close() waits for an encode in flight, then refuses new work (503)', async () => {
    const model = new FakeSamModel('manual');
    const cache = cacheWith(model, 60_000);
    const pending = cache.embedding('01-shapes.png');
    await expect.poll(() => model.encoderCalls).toBe(1);
    let closed = false;
    const closing = cache.close(['01-shapes.png']).then(() => {
      closed = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    model.settleEncoder();
    await pending;
    await closing;
    expect(closed).toBe(true);
    expect(() => cache.embedding('02-pair.png')).toThrow(/closed/);
  });
});
