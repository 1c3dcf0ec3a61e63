import { SamflowError } from '../errors';
import { isList } from '../limits';
import { COCO_CLASSES } from './cocoClasses';
import type { DetectOptions } from './Detection';

/** DetectOptions with defaults filled in. */
export interface ResolvedDetectOptions {
  readonly minScore: number;
  readonly classes: ReadonlySet<string> | undefined;
  readonly maxDetections: number;
  readonly iouThresh: number;
}

export const DEFAULT_DETECT_OPTIONS = { minScore: 0.15, maxDetections: 20, iouThresh: 0.5 } as const;

function inUnit(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new SamflowError('BAD_OPTION', `detect: ${name} must be a number between 0 and 1, got ${String(v)}`);
  }
  return v;
}

/** Checks DetectOptions and fills defaults; unknown class names are rejected with the list of valid ones. */
export function validateDetectOptions(opts: DetectOptions = {}): ResolvedDetectOptions {
  const minScore = inUnit('minScore', opts.minScore, DEFAULT_DETECT_OPTIONS.minScore);
  const iouThresh = inUnit('iouThresh', opts.iouThresh, DEFAULT_DETECT_OPTIONS.iouThresh);
  const maxDetections = opts.maxDetections ?? DEFAULT_DETECT_OPTIONS.maxDetections;
  if (!Number.isInteger(maxDetections) || maxDetections < 1) {
    throw new SamflowError('BAD_OPTION', `detect: maxDetections must be a whole number >= 1, got ${String(opts.maxDetections)}`);
  }
  let classes: Set<string> | undefined;
  if (opts.classes !== undefined) {
    if (!isList(opts.classes)) {
      throw new SamflowError('BAD_OPTION', `detect: classes must be an array of COCO class names such as ["cat","dog"], got ${typeof opts.classes}`);
    }
    const unknown = opts.classes.filter((c) => !COCO_CLASSES.includes(c));
    if (unknown.length > 0) {
      throw new SamflowError(
        'BAD_OPTION',
        `detect: unknown class name(s) ${unknown.map((c) => JSON.stringify(c)).join(', ')}; the COCO detector knows: ${COCO_CLASSES.join(', ')}`,
      );
    }
    classes = new Set(opts.classes);
  }
  return { minScore, classes, maxDetections, iouThresh };
}
