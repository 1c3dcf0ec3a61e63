import { describe, expect, it } from 'vitest';
import { EmbeddingCache } from '../../core/model/EmbeddingCache';
import { SamTransform } from '../../core/geometry/SamTransform';
import type { EmbeddedFrame } from '../../core/types';
import { FakeSamModel, testFrame, waitFor } from '../operators/FakeSamModel';
import { sam1Embedding } from '../support/sam1Embedding';

function emb(id: string, embeddingFloats = 1000, modelId = 'm'): EmbeddedFrame {
  const frame = { id, width: 10, height: 10, rgb: new Uint8Array(300) };
  return { frame, embedding: sam1Embedding(new Float32Array(embeddingFloats), [embeddingFloats]), transform: new SamTransform(10, 10), modelId };
}

describe('EmbeddingCache', () => {
  it('evicts the least recently used entry when over maxEntries', () => {
    const cache = new EmbeddingCache({ maxEntries: 2 });
    cache.set(emb('a'));
    cache.set(emb('b'));
    expect(cache.get('m:a')).toBeDefined(); // a is now most recent
    cache.set(emb('c'));
    expect(cache.get('m:b')).toBeUndefined();
    expect(cache.get('m:a')).toBeDefined();
    expect(cache.get('m:c')).toBeDefined();
    expect(cache.size).toBe(2);
  });

  it('is bounded by bytes (embedding + frame rgb) and keeps exact accounting', () => {
    const cache = new EmbeddingCache({ maxEntries: 100, maxBytes: 3 * (4000 + 300) });
    for (const id of ['a', 'b', 'c', 'd']) cache.set(emb(id));
    expect(cache.size).toBe(3);
    expect(cache.bytes).toBe(3 * 4300);
    expect(cache.get('m:a')).toBeUndefined();
    expect(cache.delete('m:b')).toBe(true);
    expect(cache.bytes).toBe(2 * 4300);
    cache.set(emb('huge', 1e6)); // bigger than the whole cache: not stored
    expect(cache.size).toBe(2);
    cache.clear();
    expect([cache.size, cache.bytes]).toEqual([0, 0]);
  });

  it('concurrent getOrEncode calls for one frame share one encode; models do not share', async () => {
    const model = new FakeSamModel('manual');
    const other = new FakeSamModel('auto', 'other');
    const cache = new EmbeddingCache();
    const frame = testFrame('f');
    const p1 = cache.getOrEncode(model, frame);
    const p2 = cache.getOrEncode(model, frame);
    await waitFor(() => model.pendingEncoderCalls === 1);
    model.settleEncoder();
    const [a, b] = await Promise.all([p1, p2]);
    expect(a).toBe(b);
    expect(model.encoderCalls).toBe(1);
    expect(await cache.getOrEncode(model, frame)).toBe(a);
    const c = await cache.getOrEncode(other, frame);
    expect(c.modelId).toBe('other');
    expect(cache.size).toBe(2);
  });

  it('does not cache a failed encode; the next call tries again', async () => {
    const model = new FakeSamModel('auto');
    const cache = new EmbeddingCache();
    model.failEncoder = new Error('boom');
    await expect(cache.getOrEncode(model, testFrame('x'))).rejects.toThrow('boom');
    model.failEncoder = undefined;
    await expect(cache.getOrEncode(model, testFrame('x'))).resolves.toMatchObject({ modelId: 'fake' });
    expect(model.encoderCalls).toBe(2);
  });

  it('rejects a bad bound with a message naming the option', () => {
    expect(() => new EmbeddingCache({ maxEntries: 0 })).toThrow(/maxEntries/);
  });
});
