import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { LOW_RES_SIZE, type BoxXyxy, type CompressedRle, type EmbeddedFrame, type Frame, type MaskCandidate, type PointPrompt, type SamPrompt } from '../types';
import { SamflowError } from '../errors';
import type { SamModel } from '../model/SamModel';
import { decodeImage } from '../image';
import { decodeMasks, encodeImage } from '../model';
import { candidateToMask, compressRle, maskArea, maskToBoxXywh, maskToRle } from '../masks';
import { AnnotateHttpError } from './AnnotateHttpError';
import { loadAnnotationState, saveAnnotationState, type AnnotatedObject, type AnnotationSource, type AnnotationState, type ImageAnnotations } from './AnnotationState';
import { listImages } from './listImages';
import { LruMap } from './LruMap';
import type { Proposal, ProposalProviders } from './Proposal';
import { resolveBrowserDecoder, type BrowserDecoderFiles } from './resolveBrowserDecoder';
import { resolveInFolder } from './resolveInFolder';
import { stateToCoco, type CocoAnnotation, type CocoInstances } from './stateToCoco';
import { DEFAULT_LIMITS } from '../limits';
import { imageFeatures } from '../model/imageFeatures';

/** Default state file name, inside the annotated folder (hidden, so it is never listed as an image). */
export const DEFAULT_STATE_FILE_NAME = '.samflow-annotations.json';
/** Default pixel limit for images opened in the page (40 MP). */
export const DEFAULT_ANNOTATE_MAX_PIXELS = 40_000_000;

/** Emitted once per accepted object (the Node-RED node turns each into a message). */
export interface AcceptedObjectEvent {
  readonly file: string;
  readonly label: string;
  readonly image: { readonly file_name: string; readonly width: number; readonly height: number };
  /** The COCO annotation as it will appear in the export (ids are the state's object id and label index). */
  readonly annotation: CocoAnnotation;
}

export interface AnnotationSessionOptions {
  /** The folder of images; only files inside it are ever read. */
  readonly folder: string;
  readonly model: SamModel;
  /** JSON state file, written atomically after every change. Default `<folder>/.samflow-annotations.json`. */
  readonly stateFile?: string;
  /** Labels offered in the page's list (more can be typed). */
  readonly labels?: readonly string[];
  /** Largest image opened, in pixels (decodeImage's maxPixels). Default 40e6. */
  readonly maxPixels?: number;
  /** Proposal sources for stage 2 (automatic masks, detector instances), keyed by display name. */
  readonly proposals?: ProposalProviders;
  /** Called after each accepted object is saved. */
  readonly onAccept?: (event: AcceptedObjectEvent) => void;
  /** Encode the next image in the background when one opens. Default true. */
  readonly prefetch?: boolean;
  /**
   * The background encode waits until no click was decoded for this long (ms), so it does not
   * compete with the decoder for the CPU while someone is clicking. Default 1500.
   */
  readonly prefetchIdleMs?: number;
  /**
   * Offer the in-browser decoder (onnxruntime-web on WebAssembly, as SAM's demo does): the page
   * downloads the decoder once and each image's embedding, then decodes clicks itself. Default
   * true when the decoder file and onnxruntime-web are found; false turns it off. The server path
   * stays the page's default.
   */
  readonly browserDecoder?: boolean | { readonly decoderPath?: string };
}

/** What the page needs to know about the in-browser decoder. */
export interface BrowserDecoderInfo {
  readonly available: boolean;
  readonly reason?: string;
  /** Relative URLs: the decoder model, onnxruntime-web's script and its wasm folder. */
  readonly decoderUrl?: string;
  readonly ortScriptUrl?: string;
  readonly wasmPathsUrl?: string;
}

/** An object as the page draws it. */
export interface DisplayObject {
  readonly id: number;
  readonly label: string;
  readonly rle: CompressedRle;
  readonly area: number;
  readonly bbox: readonly number[];
  readonly score?: number;
  readonly source: AnnotationSource;
}

/** A mask the page can show and accept: the result of a click, or a proposal. */
export interface MaskResponse {
  /** Handle of the low-res logits kept on the server: send it back as `prev` or to accept. */
  readonly handle: string;
  /** Server-side time of the decoder run plus mask post-processing, in ms (clicks only). */
  readonly serverMs?: number;
  /** The decoder run alone (prompt encoding + ONNX), in ms (clicks only). */
  readonly decoderMs?: number;
  readonly score: number;
  readonly rle: CompressedRle;
  readonly area: number;
  readonly bbox: readonly number[];
  readonly label?: string;
  readonly points?: readonly PointPrompt[];
  readonly box?: BoxXyxy;
  /** The decoder's mask token (SAM's multimask: 1–3 for a lone click; 0 otherwise). */
  readonly maskIndex?: number;
  /**
   * Clicks only: SAM's other candidates for the same prompt (a lone click has 3: whole, part,
   * subpart), best first after this one, each with its own handle to accept or refine.
   */
  readonly alternatives?: readonly MaskResponse[];
}

interface StoredMask {
  readonly file: string;
  readonly candidate: MaskCandidate;
  readonly source: AnnotationSource;
  readonly label?: string;
}

const MAX_POINTS = DEFAULT_LIMITS.maxPointsPerPrompt;
const MAX_LABEL_LENGTH = 200;

/**
 * The server side of the annotation page, free of HTTP: folder access, embeddings (computed once
 * per image, next image pre-encoded), click-to-mask with the previous low-res logits fed back,
 * accepted objects saved atomically after every change, proposals, and the COCO export.
 * `createAnnotationHandler` puts HTTP routes over it.
 */
export class AnnotationSession {
  private readonly frames = new LruMap<string, Promise<Frame>>(3);
  private readonly embeddings = new LruMap<string, Promise<EmbeddedFrame>>(3);
  private readonly jpegs = new LruMap<string, Promise<Buffer>>(4);
  /** 256×256 float logits are 256 KB each: 128 clicks of up to 3 masks (96 MB) and 256 proposals (64 MB) at most. */
  private readonly masks = new LruMap<string, StoredMask>(384);
  private readonly proposalMasks = new LruMap<string, StoredMask>(256);
  private proposalAbort: AbortController | undefined;
  private proposalFile: string | undefined;
  private saving: Promise<void> = Promise.resolve();
  private handleCounter = 0;
  private closed = false;
  private lastActivity = 0;
  private browserFiles: BrowserDecoderFiles | { readonly unavailable: string } | undefined;
  private prefetchTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly folderReal: string,
    readonly stateFile: string,
    private files: string[],
    private readonly state: AnnotationState,
    private readonly opts: AnnotationSessionOptions,
  ) {}

  /** Resolve the folder, list its images and load (or start) the state file. */
  static async open(opts: AnnotationSessionOptions): Promise<AnnotationSession> {
    let folderReal: string;
    try {
      folderReal = await fsp.realpath(opts.folder);
    } catch {
      throw new SamflowError('BAD_OPTION', `folder "${opts.folder}": not found; pass an existing folder of images`, opts.folder);
    }
    const st = await fsp.stat(folderReal);
    if (!st.isDirectory()) throw new SamflowError('BAD_OPTION', `folder "${opts.folder}": not a folder`, opts.folder);
    if (opts.model.released) throw new SamflowError('MODEL_RELEASED', 'model: already released; load a model for the annotation server');
    const stateFile = path.resolve(opts.stateFile ?? path.join(folderReal, DEFAULT_STATE_FILE_NAME));
    const state = await loadAnnotationState(stateFile, opts.labels ?? []);
    const files = await listImages(folderReal);
    return new AnnotationSession(folderReal, stateFile, files, state, opts);
  }

  /** The decoder and onnxruntime-web files for the in-browser path, or why it is not offered. */
  browserDecoderFiles(): BrowserDecoderFiles | { readonly unavailable: string } {
    const opt = this.opts.browserDecoder ?? true;
    if (opt === false) return { unavailable: 'turned off (browserDecoder: false)' };
    if (this.opts.model.spec.family === 'sam2')
      return { unavailable: `the in-browser decoder runs SAM 1 decoders only; model "${this.opts.model.id}" is ${this.opts.model.spec.family}` };
    this.browserFiles ??= resolveBrowserDecoder(this.opts.model.id, typeof opt === 'object' ? opt.decoderPath : undefined);
    return this.browserFiles;
  }

  browserDecoderInfo(): BrowserDecoderInfo {
    const f = this.browserDecoderFiles();
    if ('unavailable' in f) return { available: false, reason: f.unavailable };
    return { available: true, decoderUrl: 'api/decoder.onnx', ortScriptUrl: 'ort/ort.wasm.min.js', wasmPathsUrl: 'ort/' };
  }

  /** The image embedding as raw little-endian float32 bytes (float32[1,256,64,64]), for the in-browser decoder. */
  async embeddingBytes(file: unknown): Promise<{ bytes: Buffer; dims: readonly number[] }> {
    const f = this.checkListed(file);
    const e = await this.embedding(f);
    const { data, dims } = imageFeatures(e.embedding);
    return { bytes: Buffer.from(data.buffer, data.byteOffset, data.byteLength), dims };
  }

  get proposalKinds(): string[] {
    return Object.keys(this.opts.proposals ?? {});
  }

  /** Re-read the folder (new images appear; state of removed ones is kept). */
  async refresh(): Promise<void> {
    this.files = await listImages(this.folderReal);
  }

  /** The folder's images with their progress. */
  summary(): {
    files: { file: string; done: boolean; objects: number }[];
    labels: string[];
    done: number;
    total: number;
    proposalKinds: string[];
  } {
    const files = this.files.map((file) => {
      const img = this.state.images[file];
      return { file, done: img?.done ?? false, objects: img?.objects.length ?? 0 };
    });
    return { files, labels: [...this.state.labels], done: files.filter((f) => f.done).length, total: files.length, proposalKinds: this.proposalKinds };
  }

  private checkListed(file: unknown): string {
    if (typeof file !== 'string' || !this.files.includes(file)) {
      throw new AnnotateHttpError(404, 'BAD_IMAGE', `file "${String(file)}": not an image of the annotation folder; reload the image list`, String(file));
    }
    return file;
  }

  /** The decoded image (EXIF-rotated RGB); decoded once and cached. */
  frame(file: string): Promise<Frame> {
    this.assertOpen();
    let p = this.frames.get(file);
    if (!p) {
      p = resolveInFolder(this.folderReal, file).then((real) =>
        decodeImage(real, { maxPixels: this.opts.maxPixels ?? DEFAULT_ANNOTATE_MAX_PIXELS, id: file }).catch((e: unknown) => {
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
  imageJpeg(file: unknown): Promise<Buffer> {
    const f = this.checkListed(file);
    let p = this.jpegs.get(f);
    if (!p) {
      p = this.frame(f).then((fr) =>
        sharp(Buffer.from(fr.rgb.buffer, fr.rgb.byteOffset, fr.rgb.byteLength), { raw: { width: fr.width, height: fr.height, channels: 3 } })
          .jpeg({ quality: 90 })
          .toBuffer(),
      );
      p.catch(() => this.jpegs.delete(f));
      this.jpegs.set(f, p);
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

  /** Open an image: encode it (once), start pre-encoding the next one, return what the page draws. */
  async openImage(file: unknown): Promise<{
    file: string;
    index: number;
    width: number;
    height: number;
    done: boolean;
    objects: DisplayObject[];
  }> {
    const f = this.checkListed(file);
    // proposals still running for another image are of no use any more: stop their decoder runs
    if (this.proposalFile !== undefined && this.proposalFile !== f) this.proposalAbort?.abort();
    const embedded = await this.embedding(f);
    if (this.opts.prefetch !== false) this.prefetchAfter(f);
    const img = this.state.images[f];
    return {
      file: f,
      index: this.files.indexOf(f),
      width: embedded.frame.width,
      height: embedded.frame.height,
      done: img?.done ?? false,
      objects: (img?.objects ?? []).map(toDisplay),
    };
  }

  private prefetchAfter(file: string): void {
    const next = this.files[this.files.indexOf(file) + 1];
    if (next === undefined || this.embeddings.has(next)) return;
    const idleMs = this.opts.prefetchIdleMs ?? 1500;
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
      const current = this.embeddings.get(file);
      this.embedding(next).catch(() => undefined);
      if (current) this.embeddings.set(file, current);
    };
    this.prefetchTimer = setTimeout(fire, idleMs);
    this.prefetchTimer.unref();
  }

  /**
   * Run the decoder for the current clicks/box of one object. `prev` is the handle of the last
   * mask of this object: its low-res logits go back in as mask_input (SAM's iterative refinement).
   */
  async predict(body: Record<string, unknown>): Promise<MaskResponse> {
    const file = this.checkListed(body.file);
    const points = parsePoints(body.points);
    const box = parseBox(body.box);
    if (points.length === 0 && !box) {
      throw new AnnotateHttpError(400, 'BAD_PROMPT', 'points/box: give at least one point or a box');
    }
    let maskInput: Float32Array | undefined;
    if (body.prev !== undefined && body.prev !== null) {
      const prev = this.lookup(body.prev, file);
      maskInput = prev.candidate.lowResLogits;
    }
    const embedded = await this.embedding(file);
    this.lastActivity = Date.now();
    const t0 = performance.now();
    const prompt: SamPrompt = { points, ...(box ? { box } : {}), ...(maskInput ? { maskInput } : {}) };
    const candidates = await decodeMasks(this.opts.model, embedded, prompt);
    const t1 = performance.now();
    const [best, ...others] = candidates;
    if (!best) throw new SamflowError('MODEL_SIGNATURE', 'model: the decoder returned no mask');
    const res = this.store(this.masks, { file, candidate: best, source: 'manual' });
    const alternatives = others.map((c) => this.store(this.masks, { file, candidate: c, source: 'manual' }));
    this.lastActivity = Date.now();
    return { ...res, ...(alternatives.length ? { alternatives } : {}), serverMs: round2(performance.now() - t0), decoderMs: round2(t1 - t0) };
  }

  private store(where: LruMap<string, StoredMask>, entry: StoredMask): MaskResponse {
    const handle = `m${++this.handleCounter}`;
    where.set(handle, entry);
    const mask = candidateToMask(entry.candidate);
    const p = entry.candidate.prompt;
    return {
      handle,
      score: entry.candidate.predictedIou,
      rle: compressRle(maskToRle(mask)),
      area: maskArea(mask),
      bbox: [...maskToBoxXywh(mask)],
      maskIndex: entry.candidate.maskIndex,
      ...(entry.label !== undefined ? { label: entry.label } : {}),
      ...(p.points && p.points.length > 0 ? { points: p.points } : {}),
      ...(p.box ? { box: p.box } : {}),
    };
  }

  private lookup(handle: unknown, file: string): StoredMask {
    const h = typeof handle === 'string' ? handle : '';
    const m = this.masks.get(h) ?? this.proposalMasks.get(h);
    if (!m) throw new AnnotateHttpError(410, 'BAD_PROMPT', `handle "${h}": this mask is no longer kept on the server; click again`);
    if (m.file !== file) throw new AnnotateHttpError(400, 'BAD_PROMPT', `handle "${h}": belongs to another image`);
    return m;
  }

  /** Accept the mask behind `handle` as an object with `label`; saved before this resolves. */
  async accept(body: Record<string, unknown>): Promise<{ object: DisplayObject; objects: DisplayObject[] }> {
    const file = this.checkListed(body.file);
    const label = parseLabel(body.label);
    const stored = body.logits !== undefined ? await this.fromBrowserLogits(file, body) : this.lookup(body.handle, file);
    const mask = candidateToMask(stored.candidate);
    const area = maskArea(mask);
    if (area === 0) throw new AnnotateHttpError(400, 'BAD_PROMPT', 'handle: the mask is empty; click inside the object first');
    const p = stored.candidate.prompt;
    const object: AnnotatedObject = {
      id: this.state.nextObjectId++,
      label,
      segmentation: compressRle(maskToRle(mask)),
      area,
      bbox: maskToBoxXywh(mask),
      score: round4(stored.candidate.predictedIou),
      source: stored.source,
      ...(p.points && p.points.length > 0 ? { points: p.points.map((q) => ({ x: round2(q.x), y: round2(q.y), label: q.label })) } : {}),
      ...(p.box ? { box: p.box } : {}),
    };
    const img = this.imageEntry(file, mask.width, mask.height);
    img.objects.push(object);
    if (!this.state.labels.includes(label)) this.state.labels.push(label);
    if (typeof body.handle === 'string') {
      this.masks.delete(body.handle);
      this.proposalMasks.delete(body.handle);
    }
    await this.save();
    this.opts.onAccept?.({
      file,
      label,
      image: { file_name: file, width: img.width, height: img.height },
      annotation: {
        id: object.id,
        image_id: this.files.indexOf(file) + 1,
        category_id: this.state.labels.indexOf(label) + 1,
        segmentation: object.segmentation,
        area: object.area,
        bbox: object.bbox,
        iscrowd: 0,
        ...(object.score !== undefined ? { score: object.score } : {}),
      },
    });
    return { object: toDisplay(object), objects: img.objects.map(toDisplay) };
  }

  /** A mask decoded in the page: its low-res logits (base64 float32[256*256]) become a candidate. */
  private async fromBrowserLogits(file: string, body: Record<string, unknown>): Promise<StoredMask> {
    const b64 = body.logits;
    const plane = LOW_RES_SIZE * LOW_RES_SIZE;
    const bytes = typeof b64 === 'string' ? Buffer.from(b64, 'base64') : Buffer.alloc(0);
    if (bytes.length !== plane * 4) {
      throw new AnnotateHttpError(400, 'BAD_PROMPT', `logits: expected base64 of ${plane} float32 values (${plane * 4} bytes), got ${bytes.length} bytes`);
    }
    const lowResLogits = new Float32Array(plane); // float32[256*256]
    for (let i = 0; i < plane; i++) {
      const v = bytes.readFloatLE(i * 4);
      if (!Number.isFinite(v)) throw new AnnotateHttpError(400, 'BAD_PROMPT', `logits[${i}]: not a finite number`);
      lowResLogits[i] = v;
    }
    const points = parsePoints(body.points);
    const box = parseBox(body.box);
    const embedded = await this.embedding(file);
    const candidate: MaskCandidate = {
      lowResLogits,
      predictedIou: finite(body.score) ? body.score : 0,
      prompt: { points, ...(box ? { box } : {}) },
      transform: embedded.transform,
      maskIndex: 0,
      frameId: file,
    };
    return { file, candidate, source: 'manual' };
  }

  private imageEntry(file: string, width: number, height: number): ImageAnnotations {
    let img = this.state.images[file];
    if (!img) {
      img = { width, height, done: false, objects: [] };
      this.state.images[file] = img;
    }
    return img;
  }

  private objectsOf(file: string): AnnotatedObject[] {
    return this.state.images[file]?.objects ?? [];
  }

  /** Delete one accepted object. */
  async remove(body: Record<string, unknown>): Promise<{ objects: DisplayObject[] }> {
    const file = this.checkListed(body.file);
    const objects = this.objectsOf(file);
    const i = objects.findIndex((o) => o.id === body.id);
    if (i < 0) throw new AnnotateHttpError(404, 'BAD_OPTION', `id ${String(body.id)}: no such object in "${file}"`);
    objects.splice(i, 1);
    await this.save();
    return { objects: objects.map(toDisplay) };
  }

  /** Reorder the accepted objects of an image: `order` lists every object id once. */
  async reorder(body: Record<string, unknown>): Promise<{ objects: DisplayObject[] }> {
    const file = this.checkListed(body.file);
    const objects = this.objectsOf(file);
    const order = body.order;
    if (!Array.isArray(order) || order.length !== objects.length || new Set(order).size !== order.length || !objects.every((o) => order.includes(o.id))) {
      throw new AnnotateHttpError(400, 'BAD_OPTION', `order: must list each of the ${objects.length} object ids of "${file}" exactly once`);
    }
    const byId = new Map(objects.map((o) => [o.id, o]));
    const sorted = order.map((id: unknown) => byId.get(id as number)!);
    objects.splice(0, objects.length, ...sorted);
    await this.save();
    return { objects: objects.map(toDisplay) };
  }

  /** Change the label of an accepted object. */
  async relabel(body: Record<string, unknown>): Promise<{ objects: DisplayObject[] }> {
    const file = this.checkListed(body.file);
    const label = parseLabel(body.label);
    const objects = this.objectsOf(file);
    const i = objects.findIndex((o) => o.id === body.id);
    if (i < 0) throw new AnnotateHttpError(404, 'BAD_OPTION', `id ${String(body.id)}: no such object in "${file}"`);
    objects[i] = { ...objects[i], label };
    if (!this.state.labels.includes(label)) this.state.labels.push(label);
    await this.save();
    return { objects: objects.map(toDisplay) };
  }

  /** Mark an image done (or not). */
  async setDone(body: Record<string, unknown>): Promise<{ done: number; total: number }> {
    const file = this.checkListed(body.file);
    if (typeof body.done !== 'boolean') throw new AnnotateHttpError(400, 'BAD_OPTION', 'done: expected true or false');
    const fr = await this.frame(file);
    this.imageEntry(file, fr.width, fr.height).done = body.done;
    await this.save();
    const s = this.summary();
    return { done: s.done, total: s.total };
  }

  /** Stage 2: run a proposal source on an image; each proposal can then be accepted or corrected. */
  async propose(body: Record<string, unknown>): Promise<{ kind: string; proposals: MaskResponse[] }> {
    const file = this.checkListed(body.file);
    const kind = typeof body.kind === 'string' ? body.kind : '';
    const provider = this.opts.proposals?.[kind];
    if (!provider) {
      throw new AnnotateHttpError(400, 'BAD_OPTION', `kind "${kind}": no such proposal source (available: ${this.proposalKinds.join(', ') || 'none'})`);
    }
    this.proposalAbort?.abort();
    const abort = new AbortController();
    this.proposalAbort = abort;
    this.proposalFile = file;
    const embedded = await this.embedding(file);
    let found: readonly Proposal[];
    try {
      found = await provider(embedded, this.opts.model, abort.signal);
    } catch (e) {
      if (abort.signal.aborted) throw new AnnotateHttpError(409, 'BAD_OPTION', 'proposals: cancelled (another image was opened or proposals were asked again)');
      throw e;
    }
    if (abort.signal.aborted) throw new AnnotateHttpError(409, 'BAD_OPTION', 'proposals: cancelled (another image was opened or proposals were asked again)');
    const source: AnnotationSource = /detect/i.test(kind) ? 'detector' : /auto|amg|every/i.test(kind) ? 'auto' : 'proposal';
    const proposals = found
      .map((p) => this.store(this.proposalMasks, { file, candidate: p.candidate, source, ...(p.label !== undefined ? { label: p.label } : {}) }))
      .map((r, i) => (found[i].score !== undefined ? { ...r, score: found[i].score } : r))
      .filter((r) => r.area > 0);
    return { kind, proposals };
  }

  /** COCO instances JSON of everything accepted so far (images in folder order). */
  exportCoco(): CocoInstances {
    return stateToCoco(this.state, this.files);
  }

  private save(): Promise<void> {
    const snapshot = JSON.parse(JSON.stringify(this.state)) as AnnotationState;
    this.saving = this.saving
      .catch(() => undefined)
      .then(() => saveAnnotationState(this.stateFile, snapshot))
      .catch((e: unknown) => {
        throw new AnnotateHttpError(
          500,
          'BAD_OPTION',
          `stateFile "${this.stateFile}": cannot be written (${(e as Error).message}); the change is kept in memory only — give the server a writable stateFile`,
        );
      });
    return this.saving;
  }

  private assertOpen(): void {
    if (this.closed) throw new AnnotateHttpError(503, 'NOT_AVAILABLE', 'annotation server: closed');
  }

  /** Wait for the last save, abort proposals and drop the caches. The model is not released. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.prefetchTimer) clearTimeout(this.prefetchTimer);
    this.proposalAbort?.abort();
    await this.saving.catch(() => undefined);
    await Promise.allSettled([...this.pendingEmbeddings()]);
    this.frames.clear();
    this.embeddings.clear();
    this.jpegs.clear();
    this.masks.clear();
    this.proposalMasks.clear();
  }

  private *pendingEmbeddings(): Iterable<Promise<EmbeddedFrame>> {
    for (const f of this.files) {
      if (this.embeddings.has(f)) yield this.embeddings.get(f)!;
    }
  }
}

function toDisplay(o: AnnotatedObject): DisplayObject {
  return {
    id: o.id,
    label: o.label,
    rle: o.segmentation,
    area: o.area,
    bbox: [...o.bbox],
    ...(o.score !== undefined ? { score: o.score } : {}),
    source: o.source,
  };
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function parsePoints(v: unknown): PointPrompt[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > MAX_POINTS) {
    throw new AnnotateHttpError(400, 'BAD_PROMPT', `points: expected a list of at most ${MAX_POINTS} {x, y, label} points`);
  }
  return v.map((p: unknown, i) => {
    const q = p as { x?: unknown; y?: unknown; label?: unknown };
    if (typeof p !== 'object' || p === null || !finite(q.x) || !finite(q.y) || (q.label !== 0 && q.label !== 1)) {
      throw new AnnotateHttpError(400, 'BAD_PROMPT', `points[${i}]: expected {x, y, label: 0|1} with finite pixel coordinates`);
    }
    return { x: q.x, y: q.y, label: q.label };
  });
}

function parseBox(v: unknown): BoxXyxy | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length !== 4 || !v.every(finite)) {
    throw new AnnotateHttpError(400, 'BAD_PROMPT', 'box: expected [x0, y0, x1, y1] in image pixels');
  }
  const [a, b, c, d] = v;
  return [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
}

function parseLabel(v: unknown): string {
  const label = typeof v === 'string' ? v.trim() : '';
  if (label === '' || label.length > MAX_LABEL_LENGTH) {
    throw new AnnotateHttpError(400, 'BAD_OPTION', `label: give a label of 1 to ${MAX_LABEL_LENGTH} characters`);
  }
  return label;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}
