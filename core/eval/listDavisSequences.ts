import * as fs from 'node:fs';
import * as path from 'node:path';
import { SamflowError } from '../errors';

/** One video frame with its ground-truth mask. */
export interface VideoFrameItem {
  /** The frame's file stem (`00000`). */
  readonly id: string;
  readonly imagePath: string;
  readonly maskPath: string;
}

/** A DAVIS sequence: its frames in order, each with an annotation. */
export interface VideoSequence {
  readonly id: string;
  readonly frames: readonly VideoFrameItem[];
}

export interface ListDavisSequencesOptions {
  /** Only these sequences, in this order; a name that is not there is an error. Default: every sequence, sorted. */
  readonly sequences?: readonly string[];
  /** Keep every Nth frame (frame 0 always). Default 1. */
  readonly frameStep?: number;
  /** At most this many frames per sequence (after frameStep). */
  readonly limitFrames?: number;
}

/**
 * Lists DAVIS sequences: `DIR/JPEGImages/480p/<seq>/<frame>.jpg` with `DIR/Annotations/480p/<seq>/<frame>.png`
 * (one object, > 127). Frames without an annotation are skipped (tracking is scored on annotated frames only).
 */
export function listDavisSequences(dir: string, opts: ListDavisSequencesOptions = {}): VideoSequence[] {
  const frameStep = opts.frameStep ?? 1;
  if (!(Number.isInteger(frameStep) && frameStep >= 1)) {
    throw new SamflowError('BAD_OPTION', `listDavisSequences: frameStep must be an integer >= 1, got ${frameStep}`);
  }
  if (opts.limitFrames !== undefined && !(Number.isInteger(opts.limitFrames) && opts.limitFrames >= 2)) {
    throw new SamflowError('BAD_OPTION', `listDavisSequences: limitFrames must be an integer >= 2 (frame 0 is the prompt), got ${opts.limitFrames}`);
  }
  const imgRoot = path.join(dir, 'JPEGImages', '480p');
  const annRoot = path.join(dir, 'Annotations', '480p');
  for (const [p, what] of [
    [imgRoot, 'JPEGImages/480p'],
    [annRoot, 'Annotations/480p'],
  ] as const) {
    if (!fs.existsSync(p) || !fs.statSync(p).isDirectory()) {
      throw new SamflowError('BAD_OPTION', `dataset ${dir}: the DAVIS layout needs a folder ${what}/ there; pass the DAVIS root with --dataset`, dir);
    }
  }
  const all = fs
    .readdirSync(imgRoot)
    .filter((s) => fs.statSync(path.join(imgRoot, s)).isDirectory())
    .sort();
  const unknown = (opts.sequences ?? []).filter((s) => !all.includes(s));
  if (unknown.length > 0) {
    throw new SamflowError('BAD_OPTION', `dataset ${dir}: no sequence ${unknown.map((s) => JSON.stringify(s)).join(', ')}; it has ${all.join(', ')}`, dir);
  }
  const out: VideoSequence[] = [];
  for (const seq of opts.sequences ?? all) {
    const files = fs
      .readdirSync(path.join(imgRoot, seq))
      .filter((f) => /\.jpe?g$/i.test(f))
      .sort();
    let frames: VideoFrameItem[] = [];
    for (let i = 0; i < files.length; i += frameStep) {
      const id = files[i].replace(/\.[^.]+$/, '');
      const maskPath = path.join(annRoot, seq, `${id}.png`);
      if (fs.existsSync(maskPath)) frames.push({ id, imagePath: path.join(imgRoot, seq, files[i]), maskPath });
    }
    if (opts.limitFrames !== undefined) frames = frames.slice(0, opts.limitFrames);
    if (frames.length < 2) {
      throw new SamflowError('BAD_OPTION', `dataset ${dir}: sequence ${seq} has ${frames.length} annotated frame(s) to use; tracking needs at least 2`, dir);
    }
    out.push({ id: seq, frames });
  }
  if (out.length === 0) throw new SamflowError('BAD_OPTION', `dataset ${dir}: no sequence under JPEGImages/480p/`, dir);
  return out;
}
