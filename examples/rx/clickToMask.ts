/**
 * Click → mask: one image, one click, the best mask written as an overlay PNG.
 * Run after `npm run build`:
 *   node dist/examples/rx/clickToMask.js photo.jpg 320 200 out.png
 */
import { writeFileSync } from 'node:fs';
import { from, lastValueFrom, map, mergeMap, of } from 'rxjs';
import { candidateToMask, loadSamModel, operators } from '../../core';

async function main(): Promise<void> {
  const [image, x, y, out = 'mask.png'] = process.argv.slice(2);
  if (!image || x === undefined || y === undefined) throw new Error('usage: clickToMask <image> <x> <y> [out.png]');
  const model = await loadSamModel();
  const click = { x: Number(x), y: Number(y), label: 1 as const };
  try {
    const overlay = await lastValueFrom(
      from([image]).pipe(
        operators.decodeImage(),
        operators.encodeImage(model),
        // keep the frame beside its mask: decode the click inside a per-frame pipe
        mergeMap((embedded) =>
          of({ embedded, prompts: [{ points: [click] }] }).pipe(
            operators.decodeMasks(model, { bestOnly: true }),
            map(([best]) => {
              if (!best) throw new Error('the decoder returned no mask');
              console.log(`predicted IoU ${best.predictedIou.toFixed(3)}`);
              return { frame: embedded.frame, masks: [candidateToMask(best)] };
            }),
          ),
        ),
        operators.renderOverlay({ points: [click] }),
      ),
    );
    writeFileSync(out, overlay.image);
    console.log(`wrote ${out}`);
  } finally {
    await model.release();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
