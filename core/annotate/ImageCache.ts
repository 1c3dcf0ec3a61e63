import sharp from 'sharp';
import { SamflowError } from '../errors';
import { decodeImage } from '../image';
import { encodeImage } from '../model';
import type { SamModel } from '../model/SamModel';
import type { EmbeddedFrame, Frame } from '../types';
import { AnnotateHttpError } from './AnnotateHttpError';
import { LruMap } from '../LruMap';
import { resolveInFolder } from './resolveInFolder';

export interface ImageCacheOptions {
  readonly folderReal: string;
  readonly model: SamModel;
  /** decodeImage's maxPixels. */
  readonly maxPixels: number;
  /** The background encode of the next image waits until no click was decoded for this long (ms). */
  readonly prefetchIdleMs: number;
}

/**
 * The page's images and embeddings: each image decoded once (EXIF-rotated RGB), its JPEG made
 * once, the encoder run once per image (a cache hit after that), and the next image encoded in
 * the background once the person stops clicking. A failed decode or encode is not cached.
 */
export class ImageCache {
  private readonly frames = new LruMap<string, Promise<Frame>>(3);
  private readonly embeddings = new LruMap<string, Promise<EmbeddedFrame>>(3);
  private readonly jpegs = new LruMap<string, Promise<Buffer>>(4);
  private lastActivity = 0;
  private prefetchTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: ImageCacheOptions) {}

  /** The decoded image (EXIF-rotated RGB); decoded once and cached. */
  frame(file: string): Promise<Frame> {
    this.assertOpen();
    let p = this.frames.get(file);
    if (!p) {
      p = resolveInFolder(this.opts.folderReal, file).then((real) =>
        decodeImage(real, { maxPixels: this.opts.maxPixels, id: file }).catch((e: unknown) => {
          // the page sees the name relative to the folder, never the server's absolute path
          if (e instanceof SamflowError) throw new SamflowError(e.code, e.message.split(real).join(file), file);
          throw e;
        }),
      );
      p.catch(() => this.frames.delete(file));
      this.frames.set(file, p);
    }
    return p;
  }

  /** The image as the page shows it: JPEG of the decoded frame, so its pixels match the masks. */
  imageJpeg(file: string): Promise<Buffer> {
    let p = this.jpegs.get(file);
    if (!p) {
      p = this.frame(file).then((fr) =>
        sharp(Buffer.from(fr.rgb.buffer, fr.rgb.byteOffset, fr.rgb.byteLength), { raw: { width: fr.width, height: fr.height, channels: 3 } })
          .jpeg({ quality: 90 })
          .toBuffer(),
      );
      p.catch(() => this.jpegs.delete(file));
      this.jpegs.set(file, p);
    }
    return p;
  }

  /** The image embedding: the encoder runs once per image, then this is a cache hit. */
  embedding(file: string): Promise<EmbeddedFrame> {
    this.assertOpen();
    let p = this.embeddings.get(file);
    if (!p) {
      p = this.frame(file).then((fr) => encodeImage(this.opts.model, fr));
      p.catch(() => this.embeddings.delete(file));
      this.embeddings.set(file, p);
    }
    return p;
  }

  /** A click was decoded now: the background encode waits until the person pauses. */
  noteActivity(): void {
    this.lastActivity = Date.now();
  }

  /** Encode `next` in the background once nobody clicked for `prefetchIdleMs`, keeping `current` cached. */
  prefetch(current: string, next: string | undefined): void {
    if (next === undefined || this.embeddings.has(next)) return;
    const idleMs = this.opts.prefetchIdleMs;
    if (this.prefetchTimer) clearTimeout(this.prefetchTimer);
    const fire = (): void => {
      this.prefetchTimer = undefined;
      if (this.closed || this.embeddings.has(next)) return;
      const wait = this.lastActivity + idleMs - Date.now();
      if (wait > 0) {
        this.prefetchTimer = setTimeout(fire, wait);
        this.prefetchTimer.unref();
        return;
      }
      // Keep the current image's embedding most recent, so the prefetch never evicts it.
      const kept = this.embeddings.get(current);
      this.embedding(next).catch(() => undefined);
      if (kept) this.embeddings.set(current, kept);
    };
    this.prefetchTimer = setTimeout(fire, idleMs);
    this.prefetchTimer.unref();
  }

  private assertOpen(): void {
    if (this.closed) throw new AnnotateHttpError(503, 'NOT_AVAILABLE', 'annotation server: closed');
  }

  /** Stop prefetching, wait for the encodes in flight (of `files`) and drop everything. */
  async close(files: readonly string[]): Promise<void> {
    this.closed = true;
    if (this.prefetchTimer) clearTimeout(this.prefetchTimer);
    const pending: Promise<EmbeddedFrame>[] = [];
    for (const f of files) {
      const p = this.embeddings.has(f) ? this.embeddings.get(f) : undefined;
      if (p) pending.push(p);
    }
    await Promise.allSettled(pending);
    this.frames.clear();
    this.embeddings.clear();
    this.jpegs.clear();
  }
}
