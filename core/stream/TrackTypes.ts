import type { BinaryMask, BoxXyxy, EmbeddedFrame, Frame, MaskCandidate, PointPrompt } from '../types';

/** An object to follow, given on the first frame by a box, clicks, or a mask (original pixels). */
export interface TrackedObjectInit {
  readonly id: string | number;
  readonly box?: BoxXyxy;
  readonly points?: readonly PointPrompt[];
  readonly mask?: BinaryMask;
}

/**
 * What carries an object's mask from frame t to frame t+1:
 * - `'box'`: the box around the mask at t (grown by `boxMargin`);
 * - `'box+point'`: that box plus a foreground click at the strongest logit of the mask at t;
 * - `'box+mask'`: the box plus the low-res logits at t as SAM's `mask_input`;
 * - `'box+mask+point'`: all three.
 */
export type TrackPromptMode = 'box' | 'box+point' | 'box+mask' | 'box+mask+point';

/** A 'lost' or 'found' event of one object on one frame. */
export interface TrackEvent {
  readonly type: 'lost' | 'found';
  readonly objectId: string | number;
  readonly frameId: string;
  /** Why: 'low predicted IoU 0.31 < 0.5', 'area 12 px < 200 px', 'area changed 5.2x > 3x', 'detector box'. */
  readonly reason: string;
}

/** One object on one frame. `mask`, `box` and `candidate` are absent while the object is lost. */
export interface TrackedObject {
  readonly objectId: string | number;
  readonly state: 'tracked' | 'lost';
  readonly mask?: BinaryMask;
  readonly box?: BoxXyxy;
  /** Mask area in pixels (0 while lost). */
  readonly area: number;
  /** The decoder's predicted IoU for the attempt on this frame (also when the attempt was rejected). */
  readonly predictedIou: number;
  readonly candidate?: MaskCandidate;
  /** Frames since the object was last tracked (0 while tracked). */
  readonly framesLost: number;
}

/** What `trackMasks` emits per frame. */
export interface TrackedFrame {
  readonly frame: Frame;
  readonly embedded: EmbeddedFrame;
  readonly objects: readonly TrackedObject[];
  readonly events: readonly TrackEvent[];
}

/** A detector that proposes boxes on a frame, used to re-prompt lost objects. */
export type TrackDetector = (embedded: EmbeddedFrame) => Promise<readonly BoxXyxy[]> | readonly BoxXyxy[];
