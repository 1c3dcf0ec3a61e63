import { SamflowError } from '../../core/errors';
import { checkLimit, DEFAULT_LIMITS, describeValue, type SamflowLimits } from '../../core/limits';
import type { BoxXyxy, PointPrompt, PromptMeta } from '../../core/types';

/** The JSON-safe prompt that travels on `msg.prompts` (a SamPrompt without mask logits). */
export interface MessagePrompt {
  readonly points?: readonly PointPrompt[];
  readonly box?: BoxXyxy;
  readonly multimask?: boolean;
  readonly meta?: PromptMeta;
  /** Id of an earlier decoder candidate (msg.candidates[i].id) fed back as SAM's mask_input. */
  readonly maskRef?: string;
}

function fail(where: string, what: string): never {
  throw new SamflowError('BAD_PROMPT', `${where}: ${what}`, where);
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
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

/** One box `[x0, y0, x1, y1]` (or `{x0, y0, x1, y1}`) in original-image pixels, x0 < x1, y0 < y1. */
export function parseBox(v: unknown, where: string): BoxXyxy {
  let b: unknown[] | undefined;
  if (Array.isArray(v)) b = v;
  else if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    b = [o.x0, o.y0, o.x1, o.y1];
  }
  if (!b || b.length !== 4 || !b.every(finite)) fail(where, `expected a box [x0, y0, x1, y1] of 4 finite numbers (XYXY, original-image pixels), got ${describeValue(v)}.`);
  const [x0, y0, x1, y1] = b;
  if (!(x1 > x0 && y1 > y0)) fail(where, `the box [${x0}, ${y0}, ${x1}, ${y1}] is empty or inverted; use [left, top, right, bottom] with right > left and bottom > top.`);
  return [x0, y0, x1, y1];
}

function parseMeta(v: unknown, where: string): PromptMeta | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, `meta must be an object like {class: 'cat', score: 0.9}, got ${describeValue(v)}.`);
  return v as PromptMeta;
}

/** A prompt object `{points?, box?, multimask?, meta?}`; at least one point or a box. */
export function parsePrompt(v: unknown, where: string, limits: PromptInputLimits = DEFAULT_LIMITS): MessagePrompt {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, `expected a prompt {points: [[x, y, label]], box: [x0, y0, x1, y1]}, got ${describeValue(v)}.`);
  const o = v as Record<string, unknown>;
  const points = o.points === undefined ? undefined : parsePoints(o.points, `${where}.points`, limits);
  const box = o.box === undefined ? undefined : parseBox(o.box, `${where}.box`);
  if (!points?.length && !box) fail(where, 'a prompt needs at least one point or a box.');
  if (o.multimask !== undefined && typeof o.multimask !== 'boolean') fail(`${where}.multimask`, `must be true or false, got ${describeValue(o.multimask)}.`);
  const meta = parseMeta(o.meta, `${where}.meta`);
  if (o.maskRef !== undefined && (typeof o.maskRef !== 'string' || o.maskRef === ''))
    fail(`${where}.maskRef`, `must be the id of an earlier mask (msg.candidates[0].id), got ${describeValue(o.maskRef)}.`);
  const maskRef = o.maskRef;
  return {
    ...(points?.length ? { points } : {}),
    ...(box ? { box } : {}),
    ...(o.multimask !== undefined ? { multimask: o.multimask } : {}),
    ...(meta ? { meta } : {}),
    ...(maskRef ? { maskRef } : {}),
  };
}

/** The limits a message's prompts are checked against before they are parsed (core/limits.ts). */
export type PromptInputLimits = Pick<SamflowLimits, 'maxPointsPerPrompt' | 'maxPromptsPerMessage' | 'maxBoxes'>;

export function parsePoints(v: unknown, where: string, limits: PromptInputLimits = DEFAULT_LIMITS): PointPrompt[] {
  if (!Array.isArray(v)) fail(where, `expected an array of points [[x, y, label], ...], got ${describeValue(v)}.`);
  checkLimit(`${where}: number of points`, v.length, limits.maxPointsPerPrompt, 'maxPointsPerPrompt', 'BAD_PROMPT', where);
  return v.map((p, i) => parsePoint(p, `${where}[${i}]`));
}

/**
 * `msg.prompts` (an array, or one prompt) as a list, refused above `maxPromptsPerMessage` before any
 * prompt is parsed.
 */
export function promptList(raw: unknown, where: string, limits: PromptInputLimits = DEFAULT_LIMITS): unknown[] {
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  checkLimit(`${where}: number of prompts`, list.length, limits.maxPromptsPerMessage, 'maxPromptsPerMessage', 'BAD_PROMPT', where);
  return list;
}

/** Where sam-prompt finds its input; every field optional, at least one present. */
export interface PromptSources {
  readonly prompts?: unknown;
  readonly points?: unknown;
  readonly box?: unknown;
  readonly boxes?: unknown;
}

/**
 * Builds `msg.prompts` from what a message (or the node's config) gives:
 * - `prompts`: an array of prompt objects (or one object), passed through after validation,
 * - `points` and/or `box`: one prompt (a click, several clicks, a box, or a box with clicks),
 * - `boxes`: one prompt per box (the points, if any, are added to each).
 * `prefix` names the source in error messages ('msg' or 'config').
 */
export function promptsFromInput(src: PromptSources, prefix: string, limits: PromptInputLimits = DEFAULT_LIMITS): MessagePrompt[] {
  if (src.prompts !== undefined) {
    const list = promptList(src.prompts, `${prefix}.prompts`, limits);
    if (list.length === 0) fail(`${prefix}.prompts`, 'the array is empty; give at least one prompt.');
    return list.map((p, i) => parsePrompt(p, `${prefix}.prompts[${i}]`, limits));
  }
  const points = src.points === undefined ? undefined : parsePoints(src.points, `${prefix}.points`, limits);
  if (src.boxes !== undefined) {
    if (!Array.isArray(src.boxes) || src.boxes.length === 0)
      fail(`${prefix}.boxes`, `expected a non-empty array of boxes [[x0, y0, x1, y1], ...], got ${describeValue(src.boxes)}.`);
    checkLimit(`${prefix}.boxes: number of boxes`, src.boxes.length, limits.maxBoxes, 'maxBoxes', 'BAD_PROMPT', `${prefix}.boxes`);
    return src.boxes.map((b, i) => ({ box: parseBox(b, `${prefix}.boxes[${i}]`), ...(points?.length ? { points } : {}) }));
  }
  const box = src.box === undefined ? undefined : parseBox(src.box, `${prefix}.box`);
  if (!points?.length && !box) {
    fail(prefix, `no prompt found: set ${prefix}.points (e.g. [[120, 80, 1]]), ${prefix}.box ([x0, y0, x1, y1]), ${prefix}.boxes or ${prefix}.prompts.`);
  }
  return [{ ...(points?.length ? { points } : {}), ...(box ? { box } : {}) }];
}
