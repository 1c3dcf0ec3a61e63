/** `samflow edges <image> --out edges.png [--points-per-side N]`: SAM's zero-shot edge map as an 8-bit PNG. */
import { writeFile } from 'node:fs/promises';
import { decodeImage, loadSamModel, computeEdgeMap } from '../core';
import sharp from 'sharp';
import { getNumber, parseArgs, UsageError, getOutputPath } from './args';
import type { CliIo } from './CliCommand';
import { MODEL_FLAGS, MODEL_USAGE, amgDecoderWorkers, modelOptionsFrom } from './modelOptions';

export const usage = `usage: samflow edges <image> --out edges.png [--points-per-side N] ${MODEL_USAGE}
  Edge map from the masks of a 16x16 point grid (Sobel of each mask's probability map, max over
  masks, edge non-maximum suppression), scaled to 0-255, written as a single-channel PNG.`;

const FLAGS = {
  ...MODEL_FLAGS,
  out: { kind: 'string' },
  'points-per-side': { kind: 'integer', min: 0, minExclusive: true },
} as const;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseArgs(argv, FLAGS);
  if (a.positionals.length !== 1) throw new UsageError('give exactly one image');
  const out = getOutputPath(a, 'out');
  if (out === undefined) throw new UsageError('--out edges.png is required');
  const pointsPerSide = getNumber(a, 'points-per-side');
  const maxPixels = getNumber(a, 'max-pixels');
  const frame = await decodeImage(a.positionals[0], maxPixels !== undefined ? { maxPixels } : {});
  const model = await loadSamModel({ decoderWorkers: amgDecoderWorkers(), ...modelOptionsFrom(a) });
  try {
    const e = await computeEdgeMap(model, frame, pointsPerSide !== undefined ? { pointsPerSide } : {});
    await writeFile(
      out,
      await sharp(e.data, { raw: { width: e.width, height: e.height, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toBuffer(),
    );
    io.stderr(`edges: ${e.maskCount} masks → ${out} (${e.width}x${e.height})\n`);
    return 0;
  } finally {
    await model.release();
  }
}
