import { SamflowError } from '../errors';
import { checkLimit, DEFAULT_LIMITS, describeValue, type SamflowLimits } from '../limits';
import type { BoxXyxy, PointPrompt, PromptMeta } from '../types';

/**
 * A prompt as users write it (JSON: a Node-RED message, an HTTP body, CLI flags) after validation:
 * a SamPrompt without mask logits, plus `maskRef`, the id of an earlier mask fed back as mask_input.
 */
export interface ParsedPrompt {
  readonly points?: readonly PointPrompt[];
  readonly box?: BoxXyxy;
  readonly multimask?: boolean;
  readonly meta?: PromptMeta;
  /** Id of an earlier decoder candidate (e.g. msg.candidates[i].id) fed back as SAM's mask_input. */
  readonly maskRef?: string;
}

/** The limits user prompts are checked against before they are parsed (core/limits.ts). */
export type PromptInputLimits = Pick<SamflowLimits, 'maxPointsPerPrompt' | 'maxPromptsPerMessage' | 'maxBoxes'>;

export interface ParsePromptOptions {
  /** Default DEFAULT_LIMITS. */
  readonly limits?: PromptInputLimits;
  /**
   * Accept a box whose corners come in any order and sort them to [left, top, right, bottom] (a box
   * dragged up-left on a page). Default false: an empty or inverted box is refused.
   */
  readonly anyCorners?: boolean;
  /** Accept a prompt with neither points nor a box (a mask decoded elsewhere keeps its prompt only as a note). Default false. */
  readonly allowEmpty?: boolean;
}

function fail(where: string, what: string): never {
  throw new SamflowError('BAD_PROMPT', `${where}: ${what}`, where);
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** `where.name`, or just `name` when `where` is '' (an HTTP body's top-level fields). */
function field(where: string, name: string): string {
  return where === '' ? name : `${where}.${name}`;
}

/** `null` and `undefined` both mean "not given" (JSON has no undefined). */
function absent(v: unknown): v is null | undefined {
  return v === undefined || v === null;
}

/** One point: `{x, y, label?}` or `[x, y, label?]`; label 1 (foreground, default) or 0 (background). */
export function parsePoint(v: unknown, where: string): PointPrompt {
  let x: unknown;
  let y: unknown;
  let label: unknown = 1;
  if (Array.isArray(v)) {
    const a: readonly unknown[] = v;
    [x, y] = a;
    if (a.length > 2) label = a[2];
  } else if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    x = o.x;
    y = o.y;
    if (o.label !== undefined) label = o.label;
  } else {
    fail(where, `expected a point {x, y, label} or [x, y, label], got ${describeValue(v)}.`);
  }
  if (!finite(x) || !finite(y)) fail(where, `x and y must be finite numbers (original-image pixels), got ${describeValue(v)}.`);
  if (label !== 0 && label !== 1) fail(where, `label must be 1 (foreground) or 0 (background), got ${describeValue(label)}.`);
  return { x, y, label };
}

/**
 * One box `[x0, y0, x1, y1]` (or `{x0, y0, x1, y1}`) in original-image pixels, x0 < x1, y0 < y1
 * (with `anyCorners`: two opposite corners in any order, sorted).
 */
export function parseBox(v: unknown, where: string, opts: Pick<ParsePromptOptions, 'anyCorners'> = {}): BoxXyxy {
  let b: unknown[] | undefined;
  if (Array.isArray(v)) b = v;
  else if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    b = [o.x0, o.y0, o.x1, o.y1];
  }
  if (!b || b.length !== 4 || !b.every(finite)) fail(where, `expected a box [x0, y0, x1, y1] of 4 finite numbers (XYXY, original-image pixels), got ${describeValue(v)}.`);
  const [x0, y0, x1, y1] = b;
  if (opts.anyCorners) return [Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1)];
  if (!(x1 > x0 && y1 > y0)) fail(where, `the box [${x0}, ${y0}, ${x1}, ${y1}] is empty or inverted; use [left, top, right, bottom] with right > left and bottom > top.`);
  return [x0, y0, x1, y1];
}

/** A list of points, refused above `maxPointsPerPrompt` before any point is read. */
export function parsePoints(v: unknown, where: string, limits: PromptInputLimits = DEFAULT_LIMITS): PointPrompt[] {
  if (!Array.isArray(v)) fail(where, `expected an array of points [[x, y, label], ...], got ${describeValue(v)}.`);
  checkLimit(`${where}: number of points`, v.length, limits.maxPointsPerPrompt, 'maxPointsPerPrompt', 'BAD_PROMPT', where);
  return v.map((p, i) => parsePoint(p, `${where}[${i}]`));
}

function parseMeta(v: unknown, where: string): PromptMeta | undefined {
  if (absent(v)) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) fail(where, `meta must be an object like {class: 'cat', score: 0.9}, got ${describeValue(v)}.`);
  return v as PromptMeta;
}

/**
 * A prompt object `{points?, box?, multimask?, meta?, maskRef?}`; at least one point or a box
 * unless `allowEmpty`. Other fields are ignored, so a whole request body can be passed; `null`
 * counts as not given. `where` names the object in errors ('msg.prompts[0]', or '' for top-level
 * fields).
 */
export function parsePrompt(v: unknown, where: string, opts: ParsePromptOptions = {}): ParsedPrompt {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    fail(where || 'prompt', `expected a prompt {points: [[x, y, label]], box: [x0, y0, x1, y1]}, got ${describeValue(v)}.`);
  const o = v as Record<string, unknown>;
  const points = absent(o.points) ? undefined : parsePoints(o.points, field(where, 'points'), limits);
  const box = absent(o.box) ? undefined : parseBox(o.box, field(where, 'box'), opts);
  if (!points?.length && !box && !opts.allowEmpty) fail(where || 'prompt', 'a prompt needs at least one point or a box.');
  if (!absent(o.multimask) && typeof o.multimask !== 'boolean') fail(field(where, 'multimask'), `must be true or false, got ${describeValue(o.multimask)}.`);
  const multimask = absent(o.multimask) ? undefined : o.multimask;
  const meta = parseMeta(o.meta, field(where, 'meta'));
  if (!absent(o.maskRef) && (typeof o.maskRef !== 'string' || o.maskRef === ''))
    fail(field(where, 'maskRef'), `must be the id of an earlier mask (msg.candidates[0].id), got ${describeValue(o.maskRef)}.`);
  const maskRef = absent(o.maskRef) ? undefined : o.maskRef;
  return {
    ...(points?.length ? { points } : {}),
    ...(box ? { box } : {}),
    ...(multimask !== undefined ? { multimask } : {}),
    ...(meta ? { meta } : {}),
    ...(maskRef ? { maskRef } : {}),
  };
}

/**
 * A list of prompts (an array, or one prompt) as a list, refused above `maxPromptsPerMessage`
 * before any prompt is parsed.
 */
export function promptList(raw: unknown, where: string, limits: PromptInputLimits = DEFAULT_LIMITS): unknown[] {
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  checkLimit(`${where}: number of prompts`, list.length, limits.maxPromptsPerMessage, 'maxPromptsPerMessage', 'BAD_PROMPT', where);
  return list;
}

/** Where prompts are found in a user's input; every field optional, at least one present. */
export interface PromptSources {
  readonly prompts?: unknown;
  readonly points?: unknown;
  readonly box?: unknown;
  readonly boxes?: unknown;
}

/**
 * The prompts a user's input gives (a Node-RED message, a node's config, CLI flags):
 * - `prompts`: an array of prompt objects (or one object), each validated by `parsePrompt`,
 * - `points` and/or `box`: one prompt (a click, several clicks, a box, or a box with clicks),
 * - `boxes`: one prompt per box (the points, if any, are added to each).
 * `prefix` names the source in error messages ('msg', 'config').
 */
export function parsePrompts(src: PromptSources, prefix: string, opts: ParsePromptOptions = {}): ParsedPrompt[] {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  if (src.prompts !== undefined) {
    const list = promptList(src.prompts, field(prefix, 'prompts'), limits);
    if (list.length === 0) fail(field(prefix, 'prompts'), 'the array is empty; give at least one prompt.');
    return list.map((p, i) => parsePrompt(p, `${field(prefix, 'prompts')}[${i}]`, opts));
  }
  const points = src.points === undefined ? undefined : parsePoints(src.points, field(prefix, 'points'), limits);
  if (src.boxes !== undefined) {
    if (!Array.isArray(src.boxes) || src.boxes.length === 0)
      fail(field(prefix, 'boxes'), `expected a non-empty array of boxes [[x0, y0, x1, y1], ...], got ${describeValue(src.boxes)}.`);
    checkLimit(`${field(prefix, 'boxes')}: number of boxes`, src.boxes.length, limits.maxBoxes, 'maxBoxes', 'BAD_PROMPT', field(prefix, 'boxes'));
    return src.boxes.map((b, i) => ({ box: parseBox(b, `${field(prefix, 'boxes')}[${i}]`, opts), ...(points?.length ? { points } : {}) }));
  }
  const box = src.box === undefined ? undefined : parseBox(src.box, field(prefix, 'box'), opts);
  if (!points?.length && !box) {
    fail(
      prefix || 'prompt',
      `no prompt found: set ${field(prefix, 'points')} (e.g. [[120, 80, 1]]), ${field(prefix, 'box')} ([x0, y0, x1, y1]), ${field(prefix, 'boxes')} or ${field(prefix, 'prompts')}.`,
    );
  }
  return [{ ...(points?.length ? { points } : {}), ...(box ? { box } : {}) }];
}
