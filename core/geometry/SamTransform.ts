import { SamflowError } from '../errors';
import type { BoxXyxy } from './boxes';
import { LOW_RES_SIZE } from './lowResSize';

/**
 * How the image is resized into the model's square frame: `longestSide` (SAM 1's
 * `ResizeLongestSide`: long side to targetLength, aspect kept, zero padding right/bottom) or
 * `square` (SAM 2's `SAM2Transforms`: both sides to targetLength, aspect not kept, no padding).
 */
export type ResizeRule = 'longestSide' | 'square';

/**
 * The one owner of the model's coordinate frame. With `longestSide` (SAM 1) the original image is
 * resized so its long side is `targetLength` (1024), each side `floor(side * scale + 0.5)`, then
 * zero-padded right/bottom to a square; with `square` (SAM 2) it is stretched to
 * targetLength×targetLength. Every point, box and mask crosses between frames through this object,
 * in both directions.
 */
export class SamTransform {
  readonly scale: number;
  readonly resizedWidth: number;
  readonly resizedHeight: number;

  constructor(
    readonly originalWidth: number,
    readonly originalHeight: number,
    readonly targetLength = 1024,
    readonly resize: ResizeRule = 'longestSide',
  ) {
    if (!(Number.isInteger(originalWidth) && Number.isInteger(originalHeight) && originalWidth > 0 && originalHeight > 0)) {
      throw new SamflowError('BAD_IMAGE', `SamTransform: image size must be positive integers, got ${originalWidth}x${originalHeight}`);
    }
    if (!(Number.isInteger(targetLength) && targetLength > 0)) {
      throw new SamflowError('BAD_OPTION', `SamTransform: targetLength must be a positive integer, got ${targetLength}`);
    }
    if (resize !== 'longestSide' && resize !== 'square') {
      throw new SamflowError('BAD_OPTION', `SamTransform: resize must be 'longestSide' or 'square', got ${String(resize)}`);
    }
    const [h, w] = resize === 'square' ? [targetLength, targetLength] : SamTransform.previewShape(originalHeight, originalWidth, targetLength);
    this.scale = targetLength / Math.max(originalWidth, originalHeight);
    this.resizedWidth = w;
    this.resizedHeight = h;
  }

  /**
   * SAM's `get_preprocess_shape`: (newH, newW) with the long side at `targetLength`; the short side
   * is kept at least 1 px (SAM's own rounding gives 0 for ratios past 2×targetLength:1, e.g. 4000×1,
   * where SAM itself cannot run). Identical to SAM everywhere else.
   */
  static previewShape(oldH: number, oldW: number, targetLength: number): [number, number] {
    const scale = targetLength / Math.max(oldH, oldW);
    return [Math.max(1, Math.floor(oldH * scale + 0.5)), Math.max(1, Math.floor(oldW * scale + 0.5))];
  }

  /** Original pixel → model frame (SAM's `apply_coords`: scales x by newW/oldW and y by newH/oldH). */
  toModelX(x: number): number {
    return x * (this.resizedWidth / this.originalWidth);
  }
  toModelY(y: number): number {
    return y * (this.resizedHeight / this.originalHeight);
  }
  /** Model frame → original pixel. */
  toOriginalX(x: number): number {
    return x * (this.originalWidth / this.resizedWidth);
  }
  toOriginalY(y: number): number {
    return y * (this.originalHeight / this.resizedHeight);
  }

  /** A point (a click keeps its label) in the model frame. */
  applyPoint<P extends { readonly x: number; readonly y: number }>(p: P): P {
    return { ...p, x: this.toModelX(p.x), y: this.toModelY(p.y) };
  }

  applyBox(box: BoxXyxy): BoxXyxy {
    return [this.toModelX(box[0]), this.toModelY(box[1]), this.toModelX(box[2]), this.toModelY(box[3])];
  }

  invertBox(box: BoxXyxy): BoxXyxy {
    return [this.toOriginalX(box[0]), this.toOriginalY(box[1]), this.toOriginalX(box[2]), this.toOriginalY(box[3])];
  }

  /** The valid (unpadded) area of a 256×256 low-res mask: [width, height] in low-res pixels. */
  get lowResValid(): [number, number] {
    const f = LOW_RES_SIZE / this.targetLength;
    return [Math.ceil(this.resizedWidth * f), Math.ceil(this.resizedHeight * f)];
  }
}
