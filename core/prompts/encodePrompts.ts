import { SamflowError } from '../errors';
import { checkLimit, DEFAULT_LIMITS, describeValue } from '../limits';
import type { SamTransform } from '../geometry/SamTransform';
import { LOW_RES_SIZE, type DecoderFeeds, type PointPrompt, type SamPrompt } from '../types';

function bad(message: string): SamflowError {
  return new SamflowError('BAD_PROMPT', message);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Limits a prompt is checked against (see core/limits.ts). */
export interface PromptLimits {
  /** Default 64 ({@link DEFAULT_LIMITS}). */
  readonly maxPointsPerPrompt?: number;
}

/**
 * Checks a prompt against the image size and the point limit (before anything is allocated for
 * it); throws BAD_PROMPT saying which value is wrong. A mask prompt must be 256×256 finite logits.
 */
export function validatePrompt(prompt: SamPrompt, width: number, height: number, limits: PromptLimits = {}): void {
  if (typeof prompt !== 'object' || prompt === null) throw bad(`a prompt must be an object {points?, box?, maskInput?}, got ${describeValue(prompt)}`);
  const points = prompt.points ?? [];
  if (!Array.isArray(points)) throw bad(`prompt.points must be an array of {x, y, label}, got ${describeValue(points)}`);
  checkLimit('prompt.points: number of points', points.length, limits.maxPointsPerPrompt ?? DEFAULT_LIMITS.maxPointsPerPrompt, 'maxPointsPerPrompt');
  if (points.length === 0 && !prompt.box) {
    throw bad('the prompt has no points and no box; give at least one point {x, y, label} or a box [x0, y0, x1, y1]');
  }
  points.forEach((p: PointPrompt, i: number) => {
    if (typeof p !== 'object' || p === null) throw bad(`point ${i} must be an object {x, y, label}`);
    if (!isFiniteNumber(p.x) || !isFiniteNumber(p.y)) {
      throw bad(`point ${i}: x and y must be finite numbers, got (${describeValue(p.x)}, ${describeValue(p.y)})`);
    }
    if (p.label === undefined) throw bad(`point ${i} (${p.x}, ${p.y}) has no label; use 1 for foreground or 0 for background`);
    if (p.label !== 0 && p.label !== 1) {
      throw bad(`point ${i} (${p.x}, ${p.y}): label must be 1 (foreground) or 0 (background), got ${describeValue(p.label)}`);
    }
    if (p.x < 0 || p.y < 0 || p.x > width || p.y > height) {
      throw bad(`point ${i} (${p.x}, ${p.y}) is outside the ${width}x${height} image`);
    }
  });
  if (prompt.box !== undefined) {
    const b = prompt.box;
    if (!Array.isArray(b) || b.length !== 4 || !b.every(isFiniteNumber)) {
      throw bad(`the box must be 4 finite numbers [x0, y0, x1, y1], got ${describeValue(b)}`);
    }
    const [x0, y0, x1, y1] = b;
    if (x1 <= x0 || y1 <= y0) throw bad(`box [${b.join(', ')}]: need x1 > x0 and y1 > y0 (XYXY corners)`);
    if (x0 < 0 || y0 < 0 || x1 > width || y1 > height) {
      throw bad(`box [${b.join(', ')}] is outside the ${width}x${height} image`);
    }
  }
  if (prompt.maskInput !== undefined) {
    const m = prompt.maskInput;
    if (!(m instanceof Float32Array) || m.length !== LOW_RES_SIZE * LOW_RES_SIZE) {
      throw bad(
        `the mask prompt must be ${LOW_RES_SIZE}x${LOW_RES_SIZE} low-res logits (Float32Array of ${LOW_RES_SIZE * LOW_RES_SIZE}), ` +
          `got ${m instanceof Float32Array ? `${m.length} values` : typeof m}; pass a previous candidate's lowResLogits`,
      );
    }
    for (let i = 0; i < m.length; i++) {
      if (!Number.isFinite(m[i])) {
        throw bad(`the mask prompt holds ${String(m[i])} at index ${i} (row ${Math.floor(i / LOW_RES_SIZE)}, column ${i % LOW_RES_SIZE}); mask logits must be finite numbers`);
      }
    }
  }
}

/**
 * SAM's prompt encoding at the tensor level (the ONNX decoder fuses the learned prompt encoder):
 * points to the model frame; a box becomes two corner points labelled 2 and 3; without a box a
 * padding point (0, 0) labelled −1 is appended; a previous low-res mask goes to mask_input with
 * has_mask_input = 1.
 */
export function encodePrompts(prompt: SamPrompt, transform: SamTransform, limits: PromptLimits = {}): DecoderFeeds {
  validatePrompt(prompt, transform.originalWidth, transform.originalHeight, limits);
  const points = prompt.points ?? [];
  const numPoints = points.length + (prompt.box ? 2 : 1);
  const pointCoords = new Float32Array(numPoints * 2); // float32[1,N,2]
  const pointLabels = new Float32Array(numPoints); // float32[1,N]
  points.forEach((p, i) => {
    pointCoords[2 * i] = transform.toModelX(p.x);
    pointCoords[2 * i + 1] = transform.toModelY(p.y);
    pointLabels[i] = p.label;
  });
  const k = points.length;
  if (prompt.box) {
    const [x0, y0, x1, y1] = transform.applyBox(prompt.box);
    pointCoords.set([x0, y0, x1, y1], 2 * k);
    pointLabels[k] = 2;
    pointLabels[k + 1] = 3;
  } else {
    pointLabels[k] = -1; // padding point at (0, 0)
  }
  const maskInput = prompt.maskInput ? prompt.maskInput : new Float32Array(LOW_RES_SIZE * LOW_RES_SIZE); // float32[1,1,256,256]
  return {
    pointCoords,
    pointLabels,
    numPoints,
    maskInput,
    hasMaskInput: new Float32Array([prompt.maskInput ? 1 : 0]), // float32[1]
    origImSize: new Float32Array([transform.originalHeight, transform.originalWidth]), // float32[2]
  };
}
