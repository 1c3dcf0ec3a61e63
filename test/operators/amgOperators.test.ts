import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { filterPredictedIou } from '../../core/operators/filterPredictedIou';
import { filterStability } from '../../core/operators/filterStability';
import { nonMaxSuppression } from '../../core/operators/nonMaxSuppression';
import { removeSmallRegions } from '../../core/operators/removeSmallRegions';
import { toRecords } from '../../core/operators/toRecords';
import { gridPrompts } from '../../core/operators/gridPrompts';
import { boxesToPrompts } from '../../core/operators/boxesToPrompts';
import { SamTransform } from '../../core/geometry/SamTransform';
import { rleToMask } from '../../core/masks/rleToMask';
import type { BinaryMask, CompressedRle, EmbeddedFrame, MaskCandidate } from '../../core/types';
import type { SkippedItem } from '../../core/stream/SkippedItem';
import { sam1Embedding } from '../support/sam1Embedding';

// A 1024x1024 image: model frame = original, low-res pixel = 4x4 original pixels.
const T = new SamTransform(1024, 1024, 1024);

/** Candidate whose logits are `inside` on low-res square [x0,x1)x[y0,y1) and `outside` elsewhere. */
function cand(name: string, iou: number, sq: [number, number, number, number], inside = 8, outside = -8): MaskCandidate {
  const l = new Float32Array(256 * 256).fill(outside); // float32[256*256]
  for (let y = sq[1]; y < sq[3]; y++) for (let x = sq[0]; x < sq[2]; x++) l[y * 256 + x] = inside;
  return {
    lowResLogits: l,
    predictedIou: iou,
    prompt: { points: [{ x: 8 * sq[0] + 4, y: (4 * (sq[1] + sq[3])) / 2, label: 1 }], meta: { name } },
    transform: T,
    maskIndex: 0,
    frameId: 'f',
  };
}
const names = (cs: readonly MaskCandidate[]) => cs.map((c) => c.prompt.meta!.name);
const ts = () => new TestScheduler((a, e) => expect(a).toEqual(e));

describe('AMG operators (marble)', () => {
  const a = cand('a', 0.95, [10, 10, 50, 50]);
  const b = cand('b', 0.5, [100, 100, 120, 120]);
  const c = cand('c', 0.9, [12, 12, 50, 50]); // almost a's box
  const wobbly = cand('w', 0.99, [60, 60, 90, 90], 0.5, -0.5); // logits within ±1: stability 0

  it('filterPredictedIou keeps candidates above the threshold, group by group', () => {
    ts().run(({ cold, expectObservable }) => {
      const out = cold('xy|', { x: [a, b, c], y: [b] }).pipe(filterPredictedIou(0.88));
      expectObservable(out.pipe((s) => s)).toBe('xy|', { x: [a, c], y: [] });
    });
  });

  it('filterStability drops a mask whose logits sit within ±offset and writes the score', () => {
    const got: MaskCandidate[][] = [];
    ts().run(({ cold, expectObservable }) => {
      const out = cold('x|', { x: [a, wobbly] }).pipe(filterStability({ stabilityScoreThresh: 0.95 }));
      out.subscribe((v) => got.push(v));
      expectObservable(out.pipe((s) => s)).toBe('x|', { x: [{ ...a, stabilityScore: 1 }] });
    });
    expect(names(got[0])).toEqual(['a']);
  });

  it('nonMaxSuppression keeps the best of overlapping boxes and separate ones', () => {
    const got: string[][] = [];
    ts().run(({ cold, expectObservable }) => {
      const out = cold('x|', { x: [c, b, a] }).pipe(nonMaxSuppression(0.7));
      out.subscribe((v) => got.push(names(v) as string[]));
      expectObservable(out).toBe('x|', { x: [a, b] });
    });
    expect(got).toEqual([['a', 'b']]);
  });

  it('a bad threshold is refused at creation; a source error passes through', () => {
    expect(() => filterPredictedIou(1.5)).toThrow(/predIouThresh must be in \[0, 1\]/);
    expect(() => nonMaxSuppression(-1)).toThrow(/boxNmsThresh/);
    ts().run(({ cold, expectObservable }) => {
      expectObservable(cold<MaskCandidate[]>('#', undefined, new Error('up')).pipe(filterPredictedIou())).toBe('#', undefined, new Error('up'));
    });
  });

  it('unsubscribing early unsubscribes the source (no further work)', () => {
    ts().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('x-x-x|', { x: [a] });
      expectObservable(src.pipe(filterPredictedIou(0.5), nonMaxSuppression()), '--!').toBe('x-', { x: [a] });
      expectSubscriptions(src.subscriptions).toBe('^-!');
    });
  });

  it('toRecords: an RLE that decodes back to the candidate square, with SA-1B fields', () => {
    let recs: Awaited<ReturnType<typeof toRecordsOnce>> = [];
    function toRecordsOnce() {
      let r: import('../../core/records').AmgRecord[] = [];
      ts().run(({ cold }) => {
        cold('x|', { x: [a] })
          .pipe(toRecords())
          .subscribe((v) => (r = v));
      });
      return r;
    }
    recs = toRecordsOnce();
    expect(recs).toHaveLength(1);
    const m = rleToMask(recs[0].segmentation as CompressedRle);
    // low-res square [10,50) → original [40,200) both ways (bilinear edge within one pixel)
    expect(Math.abs(recs[0].area - 160 * 160)).toBeLessThan(2 * 160 * 2);
    expect(m.data[100 * 1024 + 100]).toBe(1);
    expect(m.data[300 * 1024 + 300]).toBe(0);
    expect(recs[0].predicted_iou).toBeCloseTo(0.95, 6);
    expect(recs[0].bbox[0]).toBeGreaterThanOrEqual(38);
    expect(recs[0].bbox[0]).toBeLessThanOrEqual(42);
  });

  it("removeSmallRegions fills a small hole and drops a small speck; onError 'skip' reports a bad mask", () => {
    const data = new Uint8Array(20 * 20);
    for (let y = 2; y < 12; y++) for (let x = 2; x < 12; x++) data[y * 20 + x] = 1;
    data[6 * 20 + 6] = 0; // 1-px hole
    data[17 * 20 + 17] = 1; // 1-px island
    const m: BinaryMask = { width: 20, height: 20, data };
    const bad = { width: 3, height: 3, data: new Uint8Array(2) } as BinaryMask;
    const skipped: SkippedItem[] = [];
    let out: BinaryMask[] = [];
    ts().run(({ cold }) => {
      const r: BinaryMask[] = [];
      cold('xy|', { x: bad, y: m })
        .pipe(removeSmallRegions(5, 'both', { onError: 'skip', errors: (s) => skipped.push(s) }))
        .subscribe((v) => r.push(v));
      out = r;
    });
    expect(out).toHaveLength(1);
    expect(out[0].data[6 * 20 + 6]).toBe(1);
    expect(out[0].data[17 * 20 + 17]).toBe(0);
    expect(out[0].data.reduce((s, v) => s + v, 0)).toBe(100);
    expect(skipped).toHaveLength(1);
  });
});

describe('prompt operators (marble)', () => {
  const embedded: EmbeddedFrame = {
    frame: { id: 'f', width: 200, height: 100, rgb: new Uint8Array(200 * 100 * 3) },
    embedding: sam1Embedding(new Float32Array(1), [1]),
    transform: new SamTransform(200, 100),
    modelId: 'm',
  };

  it('gridPrompts places n×n clicks at cell centres in original pixels', () => {
    let batch: import('../../core/operators/PromptBatch').PromptBatch | undefined;
    ts().run(({ cold }) => {
      cold('x|', { x: embedded })
        .pipe(gridPrompts({ pointsPerSide: 2 }))
        .subscribe((b) => (batch = b));
    });
    expect(batch!.prompts.map((p) => [p.points![0].x, p.points![0].y])).toEqual([
      [50, 25],
      [150, 25],
      [50, 75],
      [150, 75],
    ]);
    expect(() => gridPrompts({ pointsPerSide: 0 })).toThrow(/pointsPerSide/);
  });

  it('boxesToPrompts keeps the wanted classes, clips to the frame and carries class/score as meta', () => {
    let batch: import('../../core/operators/PromptBatch').PromptBatch | undefined;
    ts().run(({ cold }) => {
      cold('x|', {
        x: {
          embedded,
          detections: [
            { bbox: [150, 50, 60, 40], class: 'cat', score: 0.8 },
            { bbox: [0, 0, 10, 10], class: 'dog', score: 0.9 },
          ],
        },
      })
        .pipe(boxesToPrompts({ classes: ['cat'], expand: 5 }))
        .subscribe((b) => (batch = b));
    });
    expect(batch!.prompts).toHaveLength(1);
    expect(batch!.prompts[0].box).toEqual([145, 45, 200, 95]);
    expect(batch!.prompts[0].meta).toMatchObject({ class: 'cat', score: 0.8 });
  });
});
