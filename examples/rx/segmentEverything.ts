/**
 * Segment everything in a folder of images: SA-1B records per image as JSON lines.
 *   node dist/examples/rx/segmentEverything.js photos/ 16 > masks.jsonl
 */
import { loadSamModel, fromImageFiles, operators } from '../../core';

async function main(): Promise<void> {
  const [dir, side = '16'] = process.argv.slice(2);
  if (!dir) throw new Error('usage: segmentEverything <folder|glob> [pointsPerSide]');
  const model = await loadSamModel();
  fromImageFiles(dir, { errors: (s) => console.error(s.message) })
    .pipe(operators.encodeImage(model, { policy: 'all' }), operators.segmentEverything(model, { pointsPerSide: Number(side) }))
    .subscribe({
      next: ({ frame, records }) => {
        console.error(`${frame.id}: ${records.length} masks`);
        process.stdout.write(`${JSON.stringify({ image: frame.id, width: frame.width, height: frame.height, annotations: records })}\n`);
      },
      error: (e: unknown) => {
        console.error(e instanceof Error ? e.message : e);
        void model.release().then(() => process.exit(1));
      },
      complete: () => void model.release(),
    });
}

void main();
