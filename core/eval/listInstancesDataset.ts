import * as fs from 'node:fs';
import * as path from 'node:path';
import { SamflowError } from '../errors';

/**
 * Dataset layouts `samflow eval instances` reads:
 * - `instances-json`: `DIR/instances.json` = `[{image, instances: [{mask, category, bbox_xywh?}]}]`, paths relative
 *   to DIR, masks binary (> 127 = the instance) — the layout of `../shared/data/coco-cats`;
 * - `davis`: `DIR/JPEGImages/480p/<seq>/<frame>.jpg` + `DIR/Annotations/480p/<seq>/<frame>.png` (one object per
 *   sequence, > 127), each sequence mapped to a COCO class (see {@link DAVIS_COCO_CLASSES}).
 */
export type InstancesDatasetFormat = 'instances-json' | 'davis';
export const INSTANCES_DATASET_FORMATS: readonly InstancesDatasetFormat[] = ['instances-json', 'davis'];

/**
 * The DAVIS-2016 sequences of `../shared/data/davis` whose one annotated object is a single COCO class
 * (kite-surf and motocross-jump annotate a person together with a kite / a motorbike, so they are left out).
 */
export const DAVIS_COCO_CLASSES: Readonly<Record<string, string>> = { blackswan: 'bird', dog: 'dog', 'car-shadow': 'car' };

/** One ground-truth object: its mask file and COCO class. */
export interface InstancesGroundTruth {
  readonly maskPath: string;
  readonly category: string;
}

/** One image with the ground-truth instances of the classes asked for. */
export interface InstancesDatasetItem {
  /** The image path relative to the dataset (`instances-json`) or `<seq>/<frame>` (`davis`). */
  readonly id: string;
  readonly imagePath: string;
  /** The COCO classes the detector is asked for on this image (those of its objects, or the --class filter). */
  readonly classes: readonly string[];
  readonly objects: readonly InstancesGroundTruth[];
}

export interface ListInstancesDatasetOptions {
  /** Default: `instances-json` when DIR/instances.json exists, `davis` when DIR/JPEGImages/480p does. */
  readonly format?: InstancesDatasetFormat;
  /** Keep only objects of these classes (and ask the detector only for them); images without one are dropped. */
  readonly classes?: readonly string[];
  /** `davis`: every Nth frame of each sequence (frame 0 always). Default 12 (bench/instances.ts). */
  readonly frameStep?: number;
  /** `davis`: sequence → COCO class. Default {@link DAVIS_COCO_CLASSES}; sequences not listed are skipped. */
  readonly davisClasses?: Readonly<Record<string, string>>;
  /** Keep the first N items. */
  readonly limit?: number;
}

interface InstancesJsonEntry {
  readonly image?: unknown;
  readonly instances?: unknown;
}

/** Which layout a folder has, or undefined. */
export function detectInstancesDatasetFormat(dir: string): InstancesDatasetFormat | undefined {
  if (fs.existsSync(path.join(dir, 'instances.json'))) return 'instances-json';
  if (fs.existsSync(path.join(dir, 'JPEGImages', '480p'))) return 'davis';
  return undefined;
}

/**
 * Lists the images of an instance-segmentation dataset with their ground-truth objects (see
 * {@link InstancesDatasetFormat}). Items keep the file's order (`instances-json`) or sequence/frame order
 * (`davis`). A folder that matches no layout, a malformed instances.json or a listed file that is missing
 * is a SamflowError naming the path.
 */
export function listInstancesDataset(dir: string, opts: ListInstancesDatasetOptions = {}): InstancesDatasetItem[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new SamflowError('BAD_OPTION', `dataset ${dir}: not a folder; pass the dataset's root folder with --dataset`, dir);
  }
  const format = opts.format ?? detectInstancesDatasetFormat(dir);
  if (format === undefined) {
    throw new SamflowError('BAD_OPTION', `dataset ${dir}: neither instances.json nor JPEGImages/480p/ is there (see --help for the layouts)`, dir);
  }
  let items = format === 'instances-json' ? listInstancesJson(dir) : listDavisInstances(dir, opts);
  if (opts.classes !== undefined) {
    const keep = new Set(opts.classes);
    items = items
      .map((it) => ({ ...it, classes: it.classes.filter((c) => keep.has(c)), objects: it.objects.filter((o) => keep.has(o.category)) }))
      .filter((it) => it.objects.length > 0);
  }
  if (items.length === 0) {
    const what = opts.classes !== undefined ? ` of class ${opts.classes.join(', ')}` : '';
    throw new SamflowError('BAD_OPTION', `dataset ${dir}: no image has a ground-truth object${what} in the ${format} layout`, dir);
  }
  return opts.limit !== undefined ? items.slice(0, opts.limit) : items;
}

function mustExist(file: string, what: string): string {
  if (!fs.existsSync(file)) throw new SamflowError('BAD_OPTION', `${what}: ${file} does not exist`, file);
  return file;
}

function listInstancesJson(dir: string): InstancesDatasetItem[] {
  const file = path.join(dir, 'instances.json');
  let entries: unknown;
  try {
    entries = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SamflowError('BAD_OPTION', `${file}: not readable JSON (${(e as Error).message})`, file, { cause: e });
  }
  const bad = (why: string): never => {
    throw new SamflowError('BAD_OPTION', `${file}: ${why}; expected [{"image": "...", "instances": [{"mask": "...", "category": "cat"}]}]`, file);
  };
  if (!Array.isArray(entries)) bad('not an array');
  return (entries as InstancesJsonEntry[]).map((e, i) => {
    if (typeof e?.image !== 'string' || !Array.isArray(e.instances)) bad(`entry ${i} has no "image" string and "instances" array`);
    const objects = (e.instances as Array<{ mask?: unknown; category?: unknown }>).map((o, k) => {
      if (typeof o?.mask !== 'string' || typeof o.category !== 'string') bad(`entry ${i} instance ${k} has no "mask" and "category" strings`);
      return { maskPath: mustExist(path.join(dir, o.mask as string), file), category: o.category as string };
    });
    return {
      id: e.image as string,
      imagePath: mustExist(path.join(dir, e.image as string), file),
      classes: [...new Set(objects.map((o) => o.category))],
      objects,
    };
  });
}

function listDavisInstances(dir: string, opts: ListInstancesDatasetOptions): InstancesDatasetItem[] {
  const frameStep = opts.frameStep ?? 12;
  if (!(Number.isInteger(frameStep) && frameStep >= 1)) {
    throw new SamflowError('BAD_OPTION', `DAVIS frame step must be an integer >= 1, got ${frameStep}`);
  }
  const classes = opts.davisClasses ?? DAVIS_COCO_CLASSES;
  const out: InstancesDatasetItem[] = [];
  for (const [seq, className] of Object.entries(classes)) {
    const seqDir = path.join(dir, 'JPEGImages', '480p', seq);
    if (!fs.existsSync(seqDir)) continue;
    const frames = fs
      .readdirSync(seqDir)
      .filter((f) => f.endsWith('.jpg'))
      .sort();
    for (let i = 0; i < frames.length; i += frameStep) {
      const base = frames[i].replace(/\.jpg$/, '');
      const maskPath = path.join(dir, 'Annotations', '480p', seq, `${base}.png`);
      if (fs.existsSync(maskPath)) {
        out.push({ id: `${seq}/${base}`, imagePath: path.join(seqDir, frames[i]), classes: [className], objects: [{ maskPath, category: className }] });
      }
    }
  }
  return out;
}
