import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { BoxXywh, BoxXyxy, CompressedRle, PointPrompt } from '../types';
import { SamflowError } from '../errors';

/** Where an accepted object came from. */
export type AnnotationSource = 'manual' | 'auto' | 'detector' | 'proposal';

/** One accepted object of one image (what the page saved). */
export interface AnnotatedObject {
  /** Unique within the state file; stable across reorders and reloads. */
  readonly id: number;
  readonly label: string;
  readonly segmentation: CompressedRle;
  readonly area: number;
  readonly bbox: BoxXywh;
  /** The decoder's predicted IoU of the accepted mask. */
  readonly score?: number;
  readonly source: AnnotationSource;
  /** The clicks and box that produced the mask (original-image pixels), for review. */
  readonly points?: readonly PointPrompt[];
  readonly box?: BoxXyxy;
}

export interface ImageAnnotations {
  readonly width: number;
  readonly height: number;
  /** Marked done by the person annotating (an image without objects can be done). */
  done: boolean;
  objects: AnnotatedObject[];
}

/** Everything the annotation page saves: one JSON file per folder. */
export interface AnnotationState {
  readonly version: 1;
  /** Labels in first-use order (plus the list given at start): COCO category ids follow it. */
  labels: string[];
  /** Keyed by the image path relative to the folder (`/` separators). */
  images: Record<string, ImageAnnotations>;
  nextObjectId: number;
}

export function emptyAnnotationState(labels: readonly string[] = []): AnnotationState {
  return { version: 1, labels: [...new Set(labels)], images: {}, nextObjectId: 1 };
}

/**
 * Read a state file; a missing file gives an empty state. A file that exists but is not a state
 * file throws (never silently overwrite someone's work).
 */
export async function loadAnnotationState(file: string, labels: readonly string[] = []): Promise<AnnotationState> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyAnnotationState(labels);
    throw new SamflowError('BAD_OPTION', `stateFile "${file}": cannot be read (${(e as Error).message})`, file);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SamflowError('BAD_OPTION', `stateFile "${file}": not valid JSON; move it away or pass another stateFile`, file);
  }
  const s = parsed as Partial<AnnotationState>;
  if (typeof s !== 'object' || s === null || s.version !== 1 || typeof s.images !== 'object' || !Array.isArray(s.labels)) {
    throw new SamflowError('BAD_OPTION', `stateFile "${file}": not a samflow annotation state (version 1); move it away or pass another stateFile`, file);
  }
  const state: AnnotationState = {
    version: 1,
    labels: [...s.labels],
    images: s.images ?? {},
    nextObjectId: typeof s.nextObjectId === 'number' ? s.nextObjectId : 1,
  };
  for (const l of labels) if (!state.labels.includes(l)) state.labels.push(l);
  let maxId = 0;
  for (const img of Object.values(state.images)) for (const o of img.objects) maxId = Math.max(maxId, o.id);
  state.nextObjectId = Math.max(state.nextObjectId, maxId + 1);
  return state;
}

let tmpCounter = 0;

/** Write the state atomically: a temporary file beside it, fsync, then rename over the old one. */
export async function saveAnnotationState(file: string, state: AnnotationState): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++tmpCounter}.tmp`);
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify(state));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, file);
}
