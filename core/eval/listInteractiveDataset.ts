import * as fs from 'node:fs';
import * as path from 'node:path';
import { SamflowError } from '../errors';
import type { GroundTruthEncoding } from './GroundTruthMask';

/** Dataset layouts `samflow eval interactive` reads. */
export type InteractiveDatasetFormat = 'grabcut' | 'binary' | 'davis';
export const INTERACTIVE_DATASET_FORMATS: readonly InteractiveDatasetFormat[] = ['grabcut', 'binary', 'davis'];

/** One image with its ground-truth object mask. */
export interface InteractiveDatasetItem {
  /** File stem, or `<sequence>/<frame>` for DAVIS. */
  readonly id: string;
  readonly imagePath: string;
  readonly maskPath: string;
  readonly encoding: GroundTruthEncoding;
}

export interface ListDatasetOptions {
  /** Keep at most this many items (after sorting by id). */
  readonly limit?: number;
  /** DAVIS: evaluate every Nth frame of each sequence (frame 0 always). Default 10. */
  readonly frameStep?: number;
}

const IMAGE_EXT = /\.(jpe?g|png|webp|tiff?|gif|bmp)$/i;

/**
 * Lists the (image, ground truth) pairs of a dataset folder:
 * - `grabcut`: `data_GT/<stem>.<jpg|png|...>` with `boundary_GT/<stem>.<png|bmp>` (255 object, 128 uncertain);
 * - `binary`: `images/<stem>.*` with `masks/<stem>.*` (> 127 object);
 * - `davis`: `JPEGImages/480p/<seq>/<frame>.jpg` with `Annotations/480p/<seq>/<frame>.png`, every `frameStep`th frame.
 * Images without a mask are skipped; a folder that matches nothing is an error naming what was expected.
 */
export function listInteractiveDataset(dir: string, format: InteractiveDatasetFormat, opts: ListDatasetOptions = {}): InteractiveDatasetItem[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new SamflowError('BAD_OPTION', `dataset ${dir}: not a folder; pass the dataset's root folder with --dataset`, dir);
  }
  let items: InteractiveDatasetItem[];
  if (format === 'grabcut') items = pairFolders(dir, 'data_GT', 'boundary_GT', 'grabcut');
  else if (format === 'binary') items = pairFolders(dir, 'images', 'masks', 'binary');
  else if (format === 'davis') items = listDavis(dir, opts.frameStep ?? 10);
  else throw new SamflowError('BAD_OPTION', `dataset format "${String(format)}" is unknown; use ${INTERACTIVE_DATASET_FORMATS.join(', ')}`);
  items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (items.length === 0) {
    throw new SamflowError('BAD_OPTION', `dataset ${dir}: no image has a ground-truth mask in the ${format} layout (see --help)`, dir);
  }
  return opts.limit !== undefined ? items.slice(0, opts.limit) : items;
}

function stemMap(folder: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of fs.readdirSync(folder)) {
    if (!IMAGE_EXT.test(f)) continue;
    const stem = f.replace(/\.[^.]+$/, '');
    // Prefer PNG ground truth when a stem exists twice (e.g. x.bmp and x.png).
    if (!m.has(stem) || f.toLowerCase().endsWith('.png')) m.set(stem, path.join(folder, f));
  }
  return m;
}

function requireFolder(dir: string, sub: string, format: string): string {
  const p = path.join(dir, sub);
  if (!fs.existsSync(p) || !fs.statSync(p).isDirectory()) {
    throw new SamflowError('BAD_OPTION', `dataset ${dir}: the ${format} layout needs a folder ${sub}/ there`, dir);
  }
  return p;
}

function pairFolders(dir: string, imagesSub: string, masksSub: string, encoding: GroundTruthEncoding): InteractiveDatasetItem[] {
  const images = stemMap(requireFolder(dir, imagesSub, encoding));
  const masks = stemMap(requireFolder(dir, masksSub, encoding));
  const items: InteractiveDatasetItem[] = [];
  for (const [stem, imagePath] of images) {
    const maskPath = masks.get(stem);
    if (maskPath) items.push({ id: stem, imagePath, maskPath, encoding });
  }
  return items;
}

function listDavis(dir: string, frameStep: number): InteractiveDatasetItem[] {
  if (!(Number.isInteger(frameStep) && frameStep >= 1)) {
    throw new SamflowError('BAD_OPTION', `DAVIS frame step must be an integer >= 1, got ${frameStep}`);
  }
  const imgRoot = requireFolder(dir, path.join('JPEGImages', '480p'), 'davis');
  const annRoot = requireFolder(dir, path.join('Annotations', '480p'), 'davis');
  const items: InteractiveDatasetItem[] = [];
  for (const seq of fs.readdirSync(imgRoot).sort()) {
    const seqDir = path.join(imgRoot, seq);
    const annDir = path.join(annRoot, seq);
    if (!fs.statSync(seqDir).isDirectory() || !fs.existsSync(annDir)) continue;
    const masks = stemMap(annDir);
    const frames = [...stemMap(seqDir).entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    frames.forEach(([stem, imagePath], i) => {
      const maskPath = masks.get(stem);
      if (i % frameStep === 0 && maskPath) items.push({ id: `${seq}/${stem}`, imagePath, maskPath, encoding: 'binary' });
    });
  }
  return items;
}
