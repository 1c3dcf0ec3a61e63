import * as fs from 'node:fs';
import { SamflowError } from '../errors';

/** How the CLIP vision tower wants its pixels. */
export interface ClipImageSpec {
  /** Side of the square input (224 for ViT-B/32). */
  readonly size: number;
  /** Per-channel mean/std on 0–1 RGB. */
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/** OpenAI CLIP's preprocessing (what preprocessor_config.json of every CLIP checkpoint says). */
export const CLIP_IMAGE_SPEC: ClipImageSpec = {
  size: 224,
  mean: [0.48145466, 0.4578275, 0.40821073],
  std: [0.26862954, 0.26130258, 0.27577711],
};

function triple(v: unknown, name: string, file: string): [number, number, number] {
  if (Array.isArray(v)) {
    const nums = (v as unknown[]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    if (v.length === 3 && nums.length === 3) return [nums[0], nums[1], nums[2]];
  }
  if (typeof v === 'number' && Number.isFinite(v)) return [v, v, v];
  throw new SamflowError('MODEL_SIGNATURE', `${file}: ${name} must be 3 numbers, got ${JSON.stringify(v)}`, file);
}

/** Reads image size, mean and std from a transformers.js preprocessor_config.json (CLIP defaults for absent keys). */
export function readClipImageSpec(file: string | undefined): ClipImageSpec {
  if (file === undefined) return CLIP_IMAGE_SPEC;
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new SamflowError('MODEL_SIGNATURE', `${file} is not valid JSON (${String(e)})`, file, { cause: e });
  }
  const crop = cfg['crop_size'];
  let size = CLIP_IMAGE_SPEC.size;
  if (typeof crop === 'number') size = crop;
  else if (crop && typeof crop === 'object' && typeof (crop as { height?: unknown }).height === 'number') size = (crop as { height: number }).height;
  if (!(Number.isInteger(size) && size > 0)) throw new SamflowError('MODEL_SIGNATURE', `${file}: crop_size must be a positive integer, got ${JSON.stringify(crop)}`, file);
  return {
    size,
    mean: cfg['image_mean'] === undefined ? CLIP_IMAGE_SPEC.mean : triple(cfg['image_mean'], 'image_mean', file),
    std: cfg['image_std'] === undefined ? CLIP_IMAGE_SPEC.std : triple(cfg['image_std'], 'image_std', file),
  };
}
