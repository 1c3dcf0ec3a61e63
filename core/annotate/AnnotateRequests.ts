import { DEFAULT_LIMITS } from '../limits';
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

const MAX_POINTS = DEFAULT_LIMITS.maxPointsPerPrompt;
const MAX_LABEL_LENGTH = 200;
type Body = Readonly<Record<string, unknown>>;

export function parseOpenRequest(b: Body): OpenRequest {
  return { file: parseFile(b.file) };
}

export function parsePredictRequest(b: Body): PredictRequest {
  const file = parseFile(b.file);
  const points = parsePoints(b.points);
  const box = parseBox(b.box);
  if (points.length === 0 && !box) throw new AnnotateHttpError(400, 'BAD_PROMPT', 'points/box: give at least one point or a box');
  const prev = b.prev === undefined || b.prev === null ? undefined : parseHandle(b.prev);
  return { file, points, ...(box ? { box } : {}), ...(prev !== undefined ? { prev } : {}) };
}

export function parseAcceptRequest(b: Body): AcceptRequest {
  const file = parseFile(b.file);
  const label = parseLabel(b.label);
  if (b.logits !== undefined) {
    const lowResLogits = parseLogits(b.logits);
    const box = parseBox(b.box);
    const browserMask: BrowserMask = { lowResLogits, score: finite(b.score) ? b.score : 0, points: parsePoints(b.points), ...(box ? { box } : {}) };
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
