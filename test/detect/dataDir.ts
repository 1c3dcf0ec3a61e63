import * as path from 'node:path';
import sharp from 'sharp';
import type { Frame } from '../../core/types';
import { hasSharedData, sharedDataRoot } from '../support/sharedData';

/** The shared evaluation data (absent on users' machines: tests using it skip; CI fails). */
export const dataDir = sharedDataRoot;
export const hasData = hasSharedData('coco-cats/instances.json');
/** The skimage cat photo the detector tests use. */
export const chelsea = path.join(dataDir, 'photos/python3-skimage/chelsea.png');
export const hasChelsea = hasSharedData('photos/python3-skimage/chelsea.png');

/** Decodes an image file into a Frame with sharp (test helper, independent of core/image). */
export async function frameFromFile(file: string): Promise<Frame> {
  const { data, info } = await sharp(file).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { id: path.basename(file), width: info.width, height: info.height, rgb: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
