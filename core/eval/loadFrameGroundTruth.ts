import { SamflowError } from '../errors';
import { pngToMask } from '../masks/pngToMask';
import type { BinaryMask, Frame } from '../types';

/**
 * Reads one object's ground-truth mask (> 127 = object) for a decoded image or video frame and checks
 * that it has the frame's size.
 */
export async function loadFrameGroundTruth(maskPath: string, frame: Frame, imagePath: string): Promise<BinaryMask> {
  const gt = await pngToMask(maskPath, 127);
  if (gt.width !== frame.width || gt.height !== frame.height) {
    throw new SamflowError(
      'BAD_IMAGE',
      `${maskPath}: ground truth is ${gt.width}x${gt.height} but the image ${imagePath} is ${frame.width}x${frame.height}; masks must match their images`,
      maskPath,
    );
  }
  return gt;
}
