import { SamflowError } from '../errors';
import type { BoxXyxy } from '../types';

/** Crop boxes (XYXY, integer pixels) and the crop layer each belongs to; layer 0 is the whole image. */
export interface CropBoxes {
  readonly cropBoxes: BoxXyxy[];
  readonly layerIdxs: number[];
}

/**
 * SAM's `generate_crop_boxes`, with its exact integer arithmetic: layer i (1-based) splits the image
 * into 2^i × 2^i overlapping crops, overlap `int(overlapRatio * shortSide * 2 / 2^i)`, crop side
 * `ceil((overlap * (n - 1) + side) / n)`, origins `int((cropSide - overlap) * k)`; boxes are
 * listed x-origin-major (itertools.product(x0s, y0s)).
 *
 * @param imSize [height, width] of the original image
 */
export function generateCropBoxes(imSize: readonly [number, number], nLayers: number, overlapRatio: number): CropBoxes {
  const [imH, imW] = imSize;
  if (!(Number.isInteger(imH) && Number.isInteger(imW) && imH > 0 && imW > 0)) {
    throw new SamflowError('BAD_OPTION', `generateCropBoxes: image size must be positive integers [h, w], got [${imH}, ${imW}]`);
  }
  if (!Number.isInteger(nLayers) || nLayers < 0) {
    throw new SamflowError('BAD_OPTION', `cropNLayers must be an integer >= 0, got ${nLayers}`);
  }
  if (!(overlapRatio >= 0 && overlapRatio < 1)) {
    throw new SamflowError('BAD_OPTION', `cropOverlapRatio must be in [0, 1), got ${overlapRatio}; SAM uses 512/1500`);
  }
  const shortSide = Math.min(imH, imW);
  const cropBoxes: BoxXyxy[] = [[0, 0, imW, imH]];
  const layerIdxs: number[] = [0];
  const cropLen = (origLen: number, nCrops: number, overlap: number): number => Math.ceil((overlap * (nCrops - 1) + origLen) / nCrops);
  for (let iLayer = 0; iLayer < nLayers; iLayer++) {
    const nCropsPerSide = 2 ** (iLayer + 1);
    const overlap = Math.trunc(overlapRatio * shortSide * (2 / nCropsPerSide));
    const cropW = cropLen(imW, nCropsPerSide, overlap);
    const cropH = cropLen(imH, nCropsPerSide, overlap);
    const x0s: number[] = [];
    const y0s: number[] = [];
    for (let i = 0; i < nCropsPerSide; i++) {
      x0s.push(Math.trunc((cropW - overlap) * i));
      y0s.push(Math.trunc((cropH - overlap) * i));
    }
    for (const x0 of x0s) {
      for (const y0 of y0s) {
        cropBoxes.push([x0, y0, Math.min(x0 + cropW, imW), Math.min(y0 + cropH, imH)]);
        layerIdxs.push(iLayer + 1);
      }
    }
  }
  return { cropBoxes, layerIdxs };
}
