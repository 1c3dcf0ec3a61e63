import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { Frame } from '../../core/types';

const repoRoot = path.resolve(__dirname, '../..');
/** The shared evaluation data (absent on users' machines: tests using it skip). */
export const dataDir = path.resolve(repoRoot, '../shared/data');
export const hasData = fs.existsSync(path.join(dataDir, 'coco-cats', 'instances.json'));

/** Decodes an image file into a Frame with sharp (test helper, independent of core/image). */
export async function frameFromFile(file: string): Promise<Frame> {
  const { data, info } = await sharp(file).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { id: path.basename(file), width: info.width, height: info.height, rgb: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
