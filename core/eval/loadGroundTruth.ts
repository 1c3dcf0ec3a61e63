import { decodeImage } from '../image/decodeImage';
import type { GroundTruthEncoding, GroundTruthMask } from './GroundTruthMask';
import { groundTruthFromPixels } from './GroundTruthMask';

/** Reads a ground-truth mask file (PNG, BMP-as-PNG, JPEG...) and interprets its first channel. */
export async function loadGroundTruth(file: string, encoding: GroundTruthEncoding): Promise<GroundTruthMask> {
  const f = await decodeImage(file);
  return groundTruthFromPixels(f.rgb, f.width, f.height, 3, encoding, file);
}
