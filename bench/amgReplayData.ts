/**
 * The offline replay data of `skipCovered` rules (recorded by bench/amgReplayRecord.ts): types,
 * the 20 photos and their tuning / confirmation halves, and the cache folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One decoded mask of a grid point (k >= 0) or of a detector box (k = -1 - box index). */
export interface ReplayCandidate {
  readonly k: number;
  /** Mask token (1–3 multimask, 0 single). */
  readonly t: number;
  readonly iou: number;
  readonly stab: number;
  /** Passed SAM's predicted-IoU and stability filters. */
  readonly pass: boolean;
  readonly box?: number[];
  /** Indices into `records` of the exhaustive records this mask matches at IoU >= 0.9 (passing masks only). */
  matches: number[];
  /** Every candidate (passing or not): [record index, mask IoU] for each exhaustive record it overlaps at IoU >= 0.75 (recorded since the relaxed-filter replays). */
  near?: [number, number][];
}

export interface ReplayPhoto {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly decodeSeconds: number;
  readonly points: number[][];
  /** Every grid point's 3 masks, grid order then token order. */
  readonly cands: ReplayCandidate[];
  /** The exhaustive result: indices into cands, best first. */
  readonly records: number[];
  readonly detections: { bbox: number[]; class: string; score: number }[];
  readonly boxCands: ReplayCandidate[];
}

/** The 20 photos of ../shared/data/photos (paths under photos/), sorted. */
export const REPLAY_PHOTOS: readonly string[] = [
  'opencv-doc/HappyFish.jpg',
  'opencv-doc/aero1.jpg',
  'opencv-doc/apple.jpg',
  'opencv-doc/baboon.jpg',
  'opencv-doc/basketball1.png',
  'opencv-doc/building.jpg',
  'opencv-doc/butterfly.jpg',
  'opencv-doc/fruits.jpg',
  'opencv-doc/home.jpg',
  'opencv-doc/messi5.jpg',
  'opencv-doc/orange.jpg',
  'opencv-doc/rubberwhale1.png',
  'opencv-doc/squirrel_cls.jpg',
  'python-matplotlib-data/grace_hopper.jpg',
  'python3-skimage/astronaut.png',
  'python3-skimage/camera.png',
  'python3-skimage/chelsea.png',
  'python3-skimage/coffee.png',
  'python3-skimage/motorcycle_left.png',
  'python3-skimage/rocket.jpg',
];

/** Tuning half (even positions of the sorted list) and confirmation half (odd positions): no hand picking. */
export const TUNING_PHOTOS = REPLAY_PHOTOS.filter((_, i) => i % 2 === 0);
export const CONFIRMATION_PHOTOS = REPLAY_PHOTOS.filter((_, i) => i % 2 === 1);

export function replayDir(): string {
  return process.env['SAMFLOW_AMG_REPLAY_DIR'] ?? '/tmp/i15-replay';
}

export interface LoadedReplay extends ReplayPhoto {
  readonly embeddingDims: number[];
  /** float32[nCands, nPoints]: each candidate's low-res logit at each grid point. */
  readonly gridLogits: Float32Array;
  readonly boxLogits: Float32Array;
  readonly embedding: Float32Array;
}

function f32(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** The recorded data of one photo, or undefined when it was not recorded. */
export function loadReplay(name: string): LoadedReplay | undefined {
  const dir = path.join(replayDir(), name.replace(/[^A-Za-z0-9_.-]/g, '_'));
  if (!fs.existsSync(path.join(dir, 'photo.json'))) return undefined;
  const p = JSON.parse(fs.readFileSync(path.join(dir, 'photo.json'), 'utf8')) as ReplayPhoto & { embeddingDims: number[] };
  return { ...p, gridLogits: f32(path.join(dir, 'gridLogits.f32')), boxLogits: f32(path.join(dir, 'boxLogits.f32')), embedding: f32(path.join(dir, 'embedding.f32')) };
}
