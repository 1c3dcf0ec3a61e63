import type { AmgOptions } from '../amg/AmgOptions';
import type { ObjectProposal } from '../amg/generateProposals';
import type { DetectOptions } from '../detect/Detection';
import type { InstanceRecord, SegmentInstancesOptions } from '../detect/segmentInstances';
import type { SamflowErrorCode } from '../errors';
import type { AmgRecord } from '../records';
import type { DetectionBoxInput } from '../prompts/boxesToPrompts';
import type { BoxXyxy, CompressedRle, SamPrompt } from '../types';

/** What a worker can do with an image. */
export type SamTask = 'segment' | 'everything' | 'instances' | 'edges' | 'proposals';
export const SAM_TASKS: readonly SamTask[] = ['segment', 'everything', 'instances', 'edges', 'proposals'];

/** A point/box prompt as it travels (no maskInput: low-res logits stay on the worker). */
export type SamJobPrompt = Omit<SamPrompt, 'maskInput'>;

/** Options a job carries; each task reads its own (JSON values only: they cross the wire). */
export interface SamJobOptions extends AmgOptions, Omit<SegmentInstancesOptions, 'image'> {
  /** segment: ask for SAM's 3 masks (all come back as records, best first). */
  readonly multimask?: boolean;
  /** instances without `detections`: the worker's COCO detector finds the boxes with these options. */
  readonly detect?: DetectOptions;
  /** everything/proposals: add polygons to each record. */
  readonly polygons?: boolean;
  /**
   * everything: object-aware prompting (GenerateMasksOptions.promptBoxes): boxes [x0, y0, x1, y1]
   * in image pixels decoded first, then the grid points outside their masks; at most 256 (maxPromptsPerMessage).
   */
  readonly promptBoxes?: readonly BoxXyxy[];
  /** proposals: keep at most this many. */
  readonly maxProposals?: number;
  /** Decode limit on the worker (pixels); the worker's own limit applies when lower. */
  readonly maxPixels?: number;
}

/**
 * One job: an id (the idempotency key: a redelivered or resubmitted job with the same id yields the
 * same result and clients keep the first), a task, its prompts/options and the encoded image file
 * (PNG, JPEG, WebP, ... as decodeImage reads).
 */
export interface SamJob {
  readonly id: string;
  readonly task: SamTask;
  /** segment: one record per prompt (best mask; all 3 with multimask). */
  readonly prompts?: readonly SamJobPrompt[];
  /** instances: the boxes to segment; without them the worker runs its COCO detector. */
  readonly detections?: readonly DetectionBoxInput[];
  readonly options?: SamJobOptions;
  readonly image: Uint8Array;
  /** A name for the image in error messages and results (a file name); default the id. */
  readonly source?: string;
}

/** The records each task returns: SA-1B records, instance records, ranked proposals. */
export type SamJobRecord = AmgRecord<CompressedRle> | InstanceRecord | ObjectProposal;

/** Where the time went (ms). */
export interface SamJobTimings {
  /** Decoding the image file on the worker. */
  readonly decodeMs?: number;
  /** The task itself (encoder + decoder runs + records). */
  readonly runMs?: number;
  /** The worker's whole handling, from receipt to result published. */
  readonly workerMs?: number;
  /** Client side: from submit to result (set by the client). */
  readonly totalMs?: number;
}

interface ResultBase {
  readonly id: string;
  readonly task: SamTask;
  readonly source?: string;
  /** The worker's name (`host:pid` unless given). */
  readonly worker: string;
  /** Delivery attempt on which this result was made (1 = first). */
  readonly attempt: number;
  readonly timings: SamJobTimings;
}

export interface SamJobSuccess extends ResultBase {
  readonly ok: true;
  readonly width: number;
  readonly height: number;
  /** The worker's model id. */
  readonly model: string;
  readonly records: readonly SamJobRecord[];
  /** edges: the 8-bit edge map PNG. */
  readonly edgeMap?: Uint8Array;
}

export interface SamJobFailure extends ResultBase {
  readonly ok: false;
  readonly error: { readonly code: SamflowErrorCode | 'WORKER_FAILED' | 'MAX_DELIVER' | 'TIMEOUT'; readonly message: string };
}

export type SamJobResult = SamJobSuccess | SamJobFailure;
