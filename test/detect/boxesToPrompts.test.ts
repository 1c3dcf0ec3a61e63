import { describe, expect, it } from 'vitest';
import { boxesToPrompts } from '../../core/detect';
import { SamflowError } from '../../core/errors';

const cocoSsd = [
  { bbox: [10, 20, 100, 50], class: 'cat', score: 0.6 },
  { bbox: [200, 0, 40, 40], class: 'dog', score: 0.9 },
  { bbox: [50, 30, 20, 20], class: 'cat', score: 0.8 },
];

describe('boxesToPrompts', () => {
  it('turns coco-ssd [x,y,w,h] into XYXY box prompts, best score first, carrying class and score', () => {
    const p = boxesToPrompts(cocoSsd);
    expect(p.map((q) => q.box)).toEqual([
      [200, 0, 240, 40],
      [50, 30, 70, 50],
      [10, 20, 110, 70],
    ]);
    expect(p.map((q) => q.meta)).toEqual([
      { class: 'dog', score: 0.9, detectionIndex: 1 },
      { class: 'cat', score: 0.8, detectionIndex: 2 },
      { class: 'cat', score: 0.6, detectionIndex: 0 },
    ]);
    expect(p.every((q) => q.points === undefined && q.multimask === false)).toBe(true);
  });

  it('accepts {box} XYXY and bare boxes, keeping input order when there are no scores', () => {
    expect(
      boxesToPrompts([
        [5, 6, 7, 8],
        [1, 2, 3, 4],
      ]).map((q) => q.box),
    ).toEqual([
      [5, 6, 7, 8],
      [1, 2, 3, 4],
    ]);
    const p = boxesToPrompts([{ box: [1, 2, 30, 40], class: 'person' }]);
    expect(p[0].box).toEqual([1, 2, 30, 40]);
    expect(p[0].meta).toEqual({ class: 'person', detectionIndex: 0 });
  });

  it('filters by class and minimum score, then caps at maxInstances by score', () => {
    expect(boxesToPrompts(cocoSsd, { classes: ['cat'] }).map((q) => q.meta?.score)).toEqual([0.8, 0.6]);
    expect(boxesToPrompts(cocoSsd, { minScore: 0.7 }).map((q) => q.meta?.class)).toEqual(['dog', 'cat']);
    expect(boxesToPrompts(cocoSsd, { maxInstances: 1, classes: ['cat'] }).map((q) => q.meta?.score)).toEqual([0.8]);
    // A bare box has no class: a class filter drops it.
    expect(boxesToPrompts([[0, 0, 5, 5]], { classes: ['cat'] })).toEqual([]);
  });

  it('expands boxes by pixels plus a fraction of their size and clips to the image', () => {
    // box [10,20,110,70] (w 100, h 50): expand 2 px + 10 % → x ±12, y ±7
    const [p] = boxesToPrompts([{ bbox: [10, 20, 100, 50] }], { expand: 2, expandRatio: 0.1 });
    // x0 = 10 - 12 = -2 is clipped at 0 even without an image size.
    expect(p.box).toEqual([0, 13, 122, 77]);
    const [q] = boxesToPrompts([{ bbox: [10, 20, 100, 50] }], { expand: 15, image: { width: 120, height: 80 } });
    expect(q.box).toEqual([0, 5, 120, 80]);
  });

  it("adds a centre point for 'center', and negatives at other boxes' centres inside this box for 'center+negatives'", () => {
    // A: [0,0,100,100] centre (50,50); B: [60,60,100,100] centre (80,80) lies in A; A's centre is not in B.
    // C: [40,40,60,60] centre (50,50) lies in A but C contains A's centre → no negative from C in A.
    const dets = [
      { box: [0, 0, 100, 100], class: 'cat', score: 0.9 },
      { box: [60, 60, 100, 100], class: 'cat', score: 0.8 },
      { box: [40, 40, 60, 60], class: 'cat', score: 0.7 },
    ];
    const centre = boxesToPrompts(dets, { pointHints: 'center' });
    expect(centre.map((q) => q.points)).toEqual([[{ x: 50, y: 50, label: 1 }], [{ x: 80, y: 80, label: 1 }], [{ x: 50, y: 50, label: 1 }]]);
    const neg = boxesToPrompts(dets, { pointHints: 'center+negatives' });
    expect(neg[0].points).toEqual([
      { x: 50, y: 50, label: 1 },
      { x: 80, y: 80, label: 0 },
    ]);
    // B's box does not contain A's or C's centre.
    expect(neg[1].points).toEqual([{ x: 80, y: 80, label: 1 }]);
    // C contains A's centre (50,50), but A contains C's centre too → no negative.
    expect(neg[2].points).toEqual([{ x: 50, y: 50, label: 1 }]);
  });

  it('names the malformed detection and what to do', () => {
    const bad = (d: unknown, re: RegExp) => {
      expect(() => boxesToPrompts([d as number[]])).toThrowError(SamflowError);
      expect(() => boxesToPrompts([d as number[]])).toThrowError(re);
    };
    bad({ bbox: [0, 0, -5, 10] }, /detections\[0\]\.bbox .*width or height <= 0/);
    bad({ bbox: [0, 0, 'x', 10] }, /detections\[0\]\.bbox \[x, y, w, h\] must be 4 finite numbers/);
    bad({ box: [10, 10, 5, 20] }, /detections\[0\]\.box .*x1 > x0/);
    bad([1, 2, 3], /detections\[0\] \(a bare box/);
    bad({ xywh: [1, 2, 3, 4] }, /neither bbox .* nor box .*got keys xywh/);
    bad({ bbox: [0, 0, 5, 5], score: 'high' }, /detections\[0\]\.score must be a finite number/);
    expect(() => boxesToPrompts(cocoSsd, { expand: -1 })).toThrowError(/expand must be a number >= 0/);
    expect(() => boxesToPrompts(cocoSsd, { maxInstances: 0 })).toThrowError(/maxInstances/);
    expect(() => boxesToPrompts(cocoSsd, { pointHints: 'all' as 'none' })).toThrowError(/pointHints/);
  });
});
