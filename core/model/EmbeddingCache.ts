import { SamflowError } from '../errors';
import { embeddingByteLength } from './embeddingByteLength';
import { encodeImage } from './encodeImage';
import type { SamModel } from './SamModel';
import type { EmbeddedFrame, Frame } from '../types';

export interface EmbeddingCacheOptions {
  /** Most embeddings kept (default 16). */
  readonly maxEntries?: number;
  /** Most bytes kept, embeddings plus their frames' RGB (default 256 MiB; one SAM 1 embedding is 4 MiB, a SAM 2 one 16 MiB). */
  readonly maxBytes?: number;
}

function bytesOf(e: EmbeddedFrame): number {
  return embeddingByteLength(e.embedding) + e.frame.rgb.byteLength;
}

/**
 * A least-recently-used cache of image embeddings keyed by `${modelId}:${frame.id}`, bounded by
 * entries and bytes, so several prompt branches (clicks, detector boxes, a tracker) share one
 * encode of the same frame. Concurrent `getOrEncode` calls for the same key share one in-flight
 * encode. Frame ids must identify the pixels (decodeImage uses the path or a content hash).
 */
export class EmbeddingCache {
  readonly maxEntries: number;
  readonly maxBytes: number;
  private readonly entries = new Map<string, EmbeddedFrame>();
  private readonly inFlight = new Map<string, Promise<EmbeddedFrame>>();
  private totalBytes = 0;
  private generation = 0;

  constructor(options: EmbeddingCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 16;
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    if (!(Number.isInteger(this.maxEntries) && this.maxEntries >= 1)) {
      throw new SamflowError('BAD_OPTION', `EmbeddingCache: maxEntries must be a whole number ≥ 1, got ${options.maxEntries}`);
    }
    if (!(this.maxBytes > 0)) {
      throw new SamflowError('BAD_OPTION', `EmbeddingCache: maxBytes must be > 0, got ${options.maxBytes}`);
    }
  }

  /** The cache key of a frame's embedding by a model. */
  static keyOf(modelId: string, frameId: string): string {
    return `${modelId}:${frameId}`;
  }

  /** The cached embedding for `key` (marks it recently used), or undefined. */
  get(key: string): EmbeddedFrame | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  /** Stores an embedding under `${modelId}:${frame.id}`, evicting least-recently-used entries to fit. */
  set(embedded: EmbeddedFrame): void {
    const key = EmbeddingCache.keyOf(embedded.modelId, embedded.frame.id);
    this.delete(key);
    const size = bytesOf(embedded);
    if (size > this.maxBytes) return; // larger than the whole cache: hand it out, keep nothing
    this.entries.set(key, embedded);
    this.totalBytes += size;
    for (const [oldKey] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.totalBytes <= this.maxBytes) break;
      this.delete(oldKey);
    }
  }

  /**
   * The embedding of `frame` by `model`: from the cache, from an encode already in flight for the
   * same key, or from a new encode (stored when it finishes). A failed encode is not cached.
   */
  getOrEncode(model: SamModel, frame: Frame): Promise<EmbeddedFrame> {
    const key = EmbeddingCache.keyOf(model.id, frame.id);
    const hit = this.get(key);
    if (hit) return Promise.resolve(hit);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const promise = encodeImage(model, frame).then(
      (embedded) => {
        if (this.inFlight.get(key) === promise) this.inFlight.delete(key);
        if (generation === this.generation) this.set(embedded);
        return embedded;
      },
      (err: unknown) => {
        if (this.inFlight.get(key) === promise) this.inFlight.delete(key);
        throw err;
      },
    );
    this.inFlight.set(key, promise);
    return promise;
  }

  /** Removes one entry; true when it was there. */
  delete(key: string): boolean {
    const hit = this.entries.get(key);
    if (!hit) return false;
    this.entries.delete(key);
    this.totalBytes -= bytesOf(hit);
    return true;
  }

  /** Removes every entry; encodes in flight still resolve for their callers but are not stored. */
  clear(): void {
    this.entries.clear();
    this.inFlight.clear();
    this.totalBytes = 0;
    this.generation++;
  }

  /** Number of cached embeddings. */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes held: embeddings plus their frames' RGB. */
  get bytes(): number {
    return this.totalBytes;
  }
}
