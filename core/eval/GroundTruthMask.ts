import { SamflowError } from '../errors';

/** A ground-truth object mask for interactive evaluation. */
export interface GroundTruthMask {
  readonly width: number;
  readonly height: number;
  /** uint8[height*width] row-major, 1 = object, 0 = background. */
  readonly object: Uint8Array;
  /** uint8[height*width], 1 = uncertain (GrabCut's 128 band): left out of IoU and never clicked. */
  readonly ignore?: Uint8Array;
}

/** How the pixel values of a ground-truth image are read. */
export type GroundTruthEncoding =
  /** GrabCut (`boundary_GT`): 255 object, 128 uncertain, 0 background; other values background. */
  | 'grabcut'
  /** Binary masks (DAVIS, COCO, plain PNGs): > 127 object. */
  | 'binary';

/**
 * Ground truth from decoded pixels (first channel of each pixel is read).
 * @param pixels uint8[height*width*channels]
 */
export function groundTruthFromPixels(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
  encoding: GroundTruthEncoding,
  source = 'ground truth',
): GroundTruthMask {
  if (pixels.length !== width * height * channels) {
    throw new SamflowError('BAD_IMAGE', `${source}: ${pixels.length} bytes do not make a ${width}x${height}x${channels} image; pass the decoded raw pixels`, source);
  }
  const n = width * height;
  const object = new Uint8Array(n); // uint8[height,width]
  const ignore = encoding === 'grabcut' ? new Uint8Array(n) : undefined; // uint8[height,width]
  let objectCount = 0;
  for (let i = 0; i < n; i++) {
    const v = pixels[i * channels];
    if (encoding === 'grabcut') {
      if (v === 255) object[i] = 1;
      else if (v === 128) ignore![i] = 1;
    } else if (v > 127) object[i] = 1;
    objectCount += object[i];
  }
  if (objectCount === 0) {
    throw new SamflowError(
      'BAD_IMAGE',
      `${source}: the ground-truth mask has no object pixels (${encoding === 'grabcut' ? 'value 255' : 'value > 127'}); check the file or the --format`,
      source,
    );
  }
  return ignore ? { width, height, object, ignore } : { width, height, object };
}
