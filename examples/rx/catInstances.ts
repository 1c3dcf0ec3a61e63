/**
 * Cat instances in a folder: COCO detector boxes → SAM masks, printed with class, score and area.
 *   node dist/examples/rx/catInstances.js ../shared/data/coco-cats/images
 */
import { fromImageFiles, loadCocoDetector, loadSamModel, operators } from '../../core';

async function main(): Promise<void> {
  const [dir] = process.argv.slice(2);
  if (!dir) throw new Error('usage: catInstances <folder|glob>');
  const [model, detector] = await Promise.all([loadSamModel(), loadCocoDetector()]);
  fromImageFiles(dir)
    .pipe(operators.encodeImage(model), operators.instanceMasks(model, detector, { detect: { classes: ['cat'] }, expandRatio: 0.05 }))
    .subscribe({
      next: ({ frame, instances }) => {
        for (const i of instances) console.log(`${frame.id}: ${i.record.class} ${i.record.score?.toFixed(2)} area ${i.record.area}`);
      },
      error: (e: unknown) => console.error(e instanceof Error ? e.message : e),
      complete: () => {
        void detector.release();
        void model.release();
      },
    });
}

void main();
