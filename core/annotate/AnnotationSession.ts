import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { SamflowError } from '../errors';
import { candidateToMask } from '../masks';
import { maskRecordFields } from '../records/maskRecordFields';
import type { MaskCandidate } from '../types';
import { AnnotateHttpError } from './AnnotateHttpError';
import { browserDecoderModel } from './browserDecoderModel';
import type { AcceptRequest, DoneRequest, ObjectRequest, OpenRequest, PredictRequest, ProposeRequest, RelabelRequest, ReorderRequest } from './AnnotateRequests';
import { loadAnnotationState } from './AnnotationState';
import { DEFAULT_ANNOTATE_MAX_PIXELS, DEFAULT_STATE_FILE_NAME, type AnnotationSessionOptions } from './AnnotationSessionOptions';
import { toDisplayObject, type DisplayObject } from './DisplayObject';
import { ImageCache } from './ImageCache';
import { listImages } from './listImages';
import type { MaskResponse } from './MaskResponse';
import { MaskStore, type StoredMask } from './MaskStore';
import { ObjectStore } from './ObjectStore';
import { predictMask } from './predictMask';
import { ProposalRunner } from './ProposalRunner';
import { roundTo } from './roundTo';
import { resolveBrowserDecoder, type BrowserDecoderFiles } from './resolveBrowserDecoder';
import type { CocoInstances } from './stateToCoco';
import { imageFeatures } from '../model/imageFeatures';

/** What the page needs to know about the in-browser decoder. */
export interface BrowserDecoderInfo {
  readonly available: boolean;
  readonly reason?: string;
  /** Relative URLs: the decoder model, onnxruntime-web's script and its wasm folder. */
  readonly decoderUrl?: string;
  readonly ortScriptUrl?: string;
  readonly wasmPathsUrl?: string;
}

/**
 * The server side of the annotation page, free of HTTP: it takes parsed requests
 * (`AnnotateRequests.ts`) and ties the folder's images and embeddings (`ImageCache`), the masks
 * shown in the page (`MaskStore`), clicks and proposals (`predictMask`, `ProposalRunner`) and the
 * saved objects (`ObjectStore`) together. `createAnnotationHandler` puts HTTP routes over it.
 */
export class AnnotationSession {
  private readonly images: ImageCache;
  private readonly masks = new MaskStore();
  private readonly objects: ObjectStore;
  private readonly proposals: ProposalRunner;
  private browserFiles: BrowserDecoderFiles | { readonly unavailable: string } | undefined;
  private browserDecoder: Promise<Uint8Array> | undefined;

  private constructor(
    readonly folderReal: string,
    readonly stateFile: string,
    private files: string[],
    objects: ObjectStore,
    private readonly opts: AnnotationSessionOptions,
  ) {
    this.objects = objects;
    this.images = new ImageCache({ folderReal, model: opts.model, maxPixels: opts.maxPixels ?? DEFAULT_ANNOTATE_MAX_PIXELS, prefetchIdleMs: opts.prefetchIdleMs ?? 1500 });
    this.proposals = new ProposalRunner(opts.proposals ?? {}, opts.model);
  }

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
    return new AnnotationSession(folderReal, stateFile, files, new ObjectStore(stateFile, state), opts);
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

  /** The decoder model the page downloads (the server model's 4-mask rewrite when it has one), read once. */
  browserDecoderBytes(): Promise<Uint8Array> {
    const f = this.browserDecoderFiles();
    if ('unavailable' in f) return Promise.reject(new AnnotateHttpError(404, 'NOT_AVAILABLE', `in-browser decoder: ${f.unavailable}`));
    const opt = this.opts.browserDecoder;
    const ownFile = !(typeof opt === 'object' && opt.decoderPath !== undefined);
    this.browserDecoder ??= browserDecoderModel(f.decoderFile, this.opts.model.spec, ownFile);
    this.browserDecoder.catch(() => {
      this.browserDecoder = undefined;
    });
    return this.browserDecoder;
  }

  browserDecoderInfo(): BrowserDecoderInfo {
    const f = this.browserDecoderFiles();
    if ('unavailable' in f) return { available: false, reason: f.unavailable };
    return { available: true, decoderUrl: 'api/decoder.onnx', ortScriptUrl: 'ort/ort.wasm.min.js', wasmPathsUrl: 'ort/' };
  }

  /** The image embedding as raw little-endian float32 bytes (float32[1,256,64,64]), for the in-browser decoder. */
  async embeddingBytes(file: string): Promise<{ bytes: Buffer; dims: readonly number[] }> {
    const e = await this.images.embedding(this.checkListed(file));
    const { data, dims } = imageFeatures(e.embedding);
    return { bytes: Buffer.from(data.buffer, data.byteOffset, data.byteLength), dims };
  }

  get proposalKinds(): string[] {
    return this.proposals.kinds;
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
      const img = this.objects.image(file);
      return { file, done: img?.done ?? false, objects: img?.objects.length ?? 0 };
    });
    return { files, labels: [...this.objects.labels], done: files.filter((f) => f.done).length, total: files.length, proposalKinds: this.proposalKinds };
  }

  /** The image as the page shows it: JPEG of the decoded frame, so its pixels match the masks. */
  imageJpeg(file: string): Promise<Buffer> {
    return this.images.imageJpeg(this.checkListed(file));
  }

  /** Open an image: encode it (once), start pre-encoding the next one, return what the page draws. */
  async openImage({ file }: OpenRequest): Promise<{ file: string; index: number; width: number; height: number; done: boolean; objects: DisplayObject[] }> {
    const f = this.checkListed(file);
    this.proposals.opened(f);
    const embedded = await this.images.embedding(f);
    if (this.opts.prefetch !== false) this.images.prefetch(f, this.files[this.files.indexOf(f) + 1]);
    const img = this.objects.image(f);
    return {
      file: f,
      index: this.files.indexOf(f),
      width: embedded.frame.width,
      height: embedded.frame.height,
      done: img?.done ?? false,
      objects: (img?.objects ?? []).map(toDisplayObject),
    };
  }

  /** Decode the current clicks/box of one object, with the previous mask (`prev`) fed back as mask_input. */
  async predict(request: PredictRequest): Promise<MaskResponse> {
    const file = this.checkListed(request.file);
    if (request.prev !== undefined) this.masks.get(request.prev, file);
    const embedded = await this.images.embedding(file);
    this.images.noteActivity();
    const res = await predictMask(this.opts.model, embedded, request, this.masks);
    this.images.noteActivity();
    return res;
  }

  /** Accept the mask behind `handle` (or decoded in the page) as an object; saved before this resolves. */
  async accept(request: AcceptRequest): Promise<{ object: DisplayObject; objects: DisplayObject[] }> {
    const file = this.checkListed(request.file);
    const { label } = request;
    const stored = request.browserMask ? await this.fromBrowserMask(file, request.browserMask) : this.masks.get(request.handle ?? '', file);
    const mask = candidateToMask(stored.candidate);
    const { segmentation, area, bbox } = maskRecordFields(mask);
    if (area === 0) throw new AnnotateHttpError(400, 'BAD_PROMPT', 'handle: the mask is empty; click inside the object first');
    const p = stored.candidate.prompt;
    if (request.handle !== undefined) this.masks.delete(request.handle);
    const object = await this.objects.add(file, mask.width, mask.height, {
      label,
      segmentation,
      area,
      bbox,
      score: roundTo(stored.candidate.predictedIou, 4),
      source: stored.source,
      ...(p.points && p.points.length > 0 ? { points: p.points.map((q) => ({ x: roundTo(q.x, 2), y: roundTo(q.y, 2), label: q.label })) } : {}),
      ...(p.box ? { box: p.box } : {}),
    });
    const img = this.objects.image(file)!;
    this.opts.onAccept?.({
      file,
      label,
      image: { file_name: file, width: img.width, height: img.height },
      annotation: this.objects.cocoAnnotation(file, object, this.files),
    });
    return { object: toDisplayObject(object), objects: img.objects.map(toDisplayObject) };
  }

  /** A mask decoded in the page becomes a candidate in this image's frame. */
  private async fromBrowserMask(file: string, m: NonNullable<AcceptRequest['browserMask']>): Promise<StoredMask> {
    const embedded = await this.images.embedding(file);
    const candidate: MaskCandidate = {
      lowResLogits: m.lowResLogits,
      predictedIou: m.score,
      prompt: { points: m.points, ...(m.box ? { box: m.box } : {}) },
      transform: embedded.transform,
      maskIndex: 0,
      frameId: file,
    };
    return { file, candidate, source: 'manual' };
  }

  /** Delete one accepted object. */
  async remove({ file, id }: ObjectRequest): Promise<{ objects: DisplayObject[] }> {
    return { objects: (await this.objects.remove(this.checkListed(file), id)).map(toDisplayObject) };
  }

  /** Reorder the accepted objects of an image: `order` lists every object id once. */
  async reorder({ file, order }: ReorderRequest): Promise<{ objects: DisplayObject[] }> {
    return { objects: (await this.objects.reorder(this.checkListed(file), order)).map(toDisplayObject) };
  }

  /** Change the label of an accepted object. */
  async relabel({ file, id, label }: RelabelRequest): Promise<{ objects: DisplayObject[] }> {
    return { objects: (await this.objects.relabel(this.checkListed(file), id, label)).map(toDisplayObject) };
  }

  /** Mark an image done (or not). */
  async setDone({ file, done }: DoneRequest): Promise<{ done: number; total: number }> {
    const f = this.checkListed(file);
    const fr = await this.images.frame(f);
    await this.objects.setDone(f, fr.width, fr.height, done);
    const s = this.summary();
    return { done: s.done, total: s.total };
  }

  /** Stage 2: run a proposal source on an image; each proposal can then be accepted or corrected. */
  async propose({ file, kind }: ProposeRequest): Promise<{ kind: string; proposals: MaskResponse[] }> {
    const f = this.checkListed(file);
    return { kind, proposals: await this.proposals.run(f, kind, (x) => this.images.embedding(x), this.masks) };
  }

  /** COCO instances JSON of everything accepted so far (images in folder order). */
  exportCoco(): CocoInstances {
    return this.objects.exportCoco(this.files);
  }

  /** Wait for the last save, abort proposals and drop the caches. The model is not released. */
  async close(): Promise<void> {
    const closing = this.images.close(this.files);
    this.proposals.abort();
    await this.objects.flush();
    await closing;
    this.masks.clear();
  }

  private checkListed(file: string): string {
    if (!this.files.includes(file)) {
      throw new AnnotateHttpError(404, 'BAD_IMAGE', `file "${file}": not an image of the annotation folder; reload the image list`, file);
    }
    return file;
  }
}
