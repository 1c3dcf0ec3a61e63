import { parsePrompt } from '../prompts/parsePrompts';
import { LOW_RES_SIZE, type BoxXyxy, type PointPrompt } from '../types';
import { AnnotateHttpError } from './AnnotateHttpError';

/** The page's requests, as `createAnnotationHandler` hands them to the session after parsing the JSON bodies. */
export interface OpenRequest {
  readonly file: string;
}
/** Decode the clicks/box of one object; `prev` is the handle of its last mask (fed back as mask_input). */
export interface PredictRequest {
  readonly file: string;
  readonly points: readonly PointPrompt[];
  readonly box?: BoxXyxy;
  readonly prev?: string;
}
/** Accept the mask behind `handle`, or a mask the page decoded itself (`logits`), as an object with `label`. */
export interface AcceptRequest {
  readonly file: string;
  readonly label: string;
  readonly handle?: string;
  readonly browserMask?: BrowserMask;
}
/** A mask decoded in the page: its low-res logits, predicted IoU and the prompt that gave it. */
export interface BrowserMask {
  readonly lowResLogits: Float32Array; // float32[256*256]
  readonly score: number;
  readonly points: readonly PointPrompt[];
  readonly box?: BoxXyxy;
}
export interface ObjectRequest {
  readonly file: string;
  readonly id: number;
}
export interface RelabelRequest extends ObjectRequest {
  readonly label: string;
}
export interface ReorderRequest {
  readonly file: string;
  readonly order: readonly number[];
}
export interface DoneRequest {
  readonly file: string;
  readonly done: boolean;
}
export interface ProposeRequest {
  readonly file: string;
  readonly kind: string;
}

const MAX_LABEL_LENGTH = 200;
type Body = Readonly<Record<string, unknown>>;

export function parseOpenRequest(b: Body): OpenRequest {
  return { file: parseFile(b.file) };
}

export function parsePredictRequest(b: Body): PredictRequest {
  const file = parseFile(b.file);
  // the one prompt parser of every face; a box dragged up-left on the page has its corners sorted
  const { points = [], box } = parsePrompt(b, '', { anyCorners: true });
  const prev = b.prev === undefined || b.prev === null ? undefined : parseHandle(b.prev);
  return { file, points, ...(box ? { box } : {}), ...(prev !== undefined ? { prev } : {}) };
}

export function parseAcceptRequest(b: Body): AcceptRequest {
  const file = parseFile(b.file);
  const label = parseLabel(b.label);
  if (b.logits !== undefined) {
    const lowResLogits = parseLogits(b.logits);
    // the prompt that gave the page's mask is kept with the object as a note only
    const { points = [], box } = parsePrompt(b, '', { anyCorners: true, allowEmpty: true });
    const browserMask: BrowserMask = { lowResLogits, score: finite(b.score) ? b.score : 0, points, ...(box ? { box } : {}) };
    return { file, label, browserMask };
  }
  return { file, label, handle: parseHandle(b.handle) };
}

export function parseObjectRequest(b: Body): ObjectRequest {
  return { file: parseFile(b.file), id: parseId(b.id, b.file) };
}

export function parseRelabelRequest(b: Body): RelabelRequest {
  const file = parseFile(b.file);
  const label = parseLabel(b.label);
  return { file, id: parseId(b.id, file), label };
}

export function parseReorderRequest(b: Body): ReorderRequest {
  const file = parseFile(b.file);
  const order = b.order;
  if (!Array.isArray(order) || !order.every((id) => Number.isInteger(id))) {
    throw new AnnotateHttpError(400, 'BAD_OPTION', `order: must list each object id of "${file}" exactly once`);
  }
  return { file, order: order as number[] };
}

export function parseDoneRequest(b: Body): DoneRequest {
  const file = parseFile(b.file);
  if (typeof b.done !== 'boolean') throw new AnnotateHttpError(400, 'BAD_OPTION', 'done: expected true or false');
  return { file, done: b.done };
}

export function parseProposeRequest(b: Body): ProposeRequest {
  return { file: parseFile(b.file), kind: typeof b.kind === 'string' ? b.kind : '' };
}

function parseFile(v: unknown): string {
  if (typeof v !== 'string') {
    throw new AnnotateHttpError(404, 'BAD_IMAGE', `file "${String(v)}": not an image of the annotation folder; reload the image list`, String(v));
  }
  return v;
}

function parseHandle(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function parseId(v: unknown, file: unknown): number {
  if (!Number.isInteger(v)) throw new AnnotateHttpError(404, 'BAD_OPTION', `id ${String(v)}: no such object in "${String(file)}"`);
  return v as number;
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function parseLabel(v: unknown): string {
  const label = typeof v === 'string' ? v.trim() : '';
  if (label === '' || label.length > MAX_LABEL_LENGTH) {
    throw new AnnotateHttpError(400, 'BAD_OPTION', `label: give a label of 1 to ${MAX_LABEL_LENGTH} characters`);
  }
  return label;
}

/** Base64 of 256×256 little-endian float32 logits, every one finite. */
function parseLogits(v: unknown): Float32Array {
  const plane = LOW_RES_SIZE * LOW_RES_SIZE;
  const bytes = typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.alloc(0);
  if (bytes.length !== plane * 4) {
    throw new AnnotateHttpError(400, 'BAD_PROMPT', `logits: expected base64 of ${plane} float32 values (${plane * 4} bytes), got ${bytes.length} bytes`);
  }
  const lowResLogits = new Float32Array(plane); // float32[256*256]
  for (let i = 0; i < plane; i++) {
    const x = bytes.readFloatLE(i * 4);
    if (!Number.isFinite(x)) throw new AnnotateHttpError(400, 'BAD_PROMPT', `logits[${i}]: not a finite number`);
    lowResLogits[i] = x;
  }
  return lowResLogits;
}
