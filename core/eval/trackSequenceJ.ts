import { from, lastValueFrom, toArray } from 'rxjs';
import { SamflowError } from '../errors';
import { maskIou } from '../masks/maskIou';
import { maskToBoxXywh } from '../masks/maskToBoxXywh';
import type { SamModel } from '../model/SamModel';
import { trackMasks, type TrackMasksOptions } from '../stream/trackMasks';
import type { TrackPromptMode } from '../stream/TrackTypes';
import type { BinaryMask, BoxXyxy, EmbeddedFrame } from '../types';

/** The box around a mask's pixels, [x0, y0, x1 + 1, y1 + 1] (pixel extents); undefined when the mask is empty. */
export function maskExtentXyxy(mask: BinaryMask): BoxXyxy | undefined {
  const [x, y, w, h] = maskToBoxXywh(mask, { convention: 'coco' });
  return w > 0 && h > 0 ? [x, y, x + w, y + h] : undefined;
}

/** One tracking run scored against the ground truth. */
export interface SequenceJ {
  /** Mean J (mask IoU) over frames 1..n-1; a frame where the object is lost counts 0. */
  readonly meanJ: number;
  /** J per frame 1..n-1. */
  readonly perFrameJ: readonly number[];
  /** Frames 1..n-1 where the tracker had lost the object. */
  readonly lostFrames: number;
}

/**
 * Semi-supervised video object segmentation as DAVIS scores it, with SAM: the object is given on frame
 * 0 by its ground-truth box, followed with `trackMasks` (prompt mode `promptMode`) over the embedded
 * frames, and each later frame's mask is compared with its ground truth (J = IoU).
 */
export async function trackSequenceJ(
  model: SamModel,
  embedded: readonly EmbeddedFrame[],
  groundTruth: readonly BinaryMask[],
  promptMode: TrackPromptMode,
  options: Omit<TrackMasksOptions, 'objects' | 'promptMode'> = {},
): Promise<SequenceJ> {
  if (embedded.length !== groundTruth.length || embedded.length < 2) {
    throw new SamflowError('BAD_OPTION', `trackSequenceJ: needs as many ground-truth masks as frames, at least 2; got ${embedded.length} frames, ${groundTruth.length} masks`);
  }
  const box = maskExtentXyxy(groundTruth[0]);
  if (!box) throw new SamflowError('BAD_IMAGE', 'trackSequenceJ: the ground truth of frame 0 is empty; the object must be visible on the first frame');
  const out = await lastValueFrom(from(embedded).pipe(trackMasks(model, { ...options, objects: [{ id: 'obj', box }], promptMode }), toArray()));
  const perFrameJ: number[] = [];
  let lost = 0;
  for (let t = 1; t < out.length; t++) {
    const o = out[t].objects[0];
    if (o.mask) perFrameJ.push(maskIou(o.mask, groundTruth[t]));
    else {
      perFrameJ.push(0);
      lost++;
    }
  }
  return { meanJ: perFrameJ.reduce((s, v) => s + v, 0) / Math.max(1, out.length - 1), perFrameJ, lostFrames: lost };
}
