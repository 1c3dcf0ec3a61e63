import { describe, expect, it } from 'vitest';
import { groundTruthFromPixels, type GroundTruthMask } from '../../core/eval/GroundTruthMask';
import { interactiveIou } from '../../core/eval/interactiveIou';
import { nextClick } from '../../core/eval/nextClick';
import { numberOfClicks } from '../../core/eval/numberOfClicks';
import { runClickSession, type ClickPrediction } from '../../core/eval/runClickSession';
import { summarizeInteractive } from '../../core/eval/summarizeInteractive';

/** A W×H mask with the rectangle [x0,x1]×[y0,y1] (inclusive) set. */
function rect(w: number, h: number, x0: number, y0: number, x1: number, y1: number, into = new Uint8Array(w * h)): Uint8Array<ArrayBuffer> {
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) into[y * w + x] = 1;
  return into;
}
const gtOf = (w: number, h: number, object: Uint8Array, ignore?: Uint8Array): GroundTruthMask =>
  ignore ? { width: w, height: h, object, ignore } : { width: w, height: h, object };

describe('nextClick', () => {
  it('puts the first click at the centre of a rectangle (odd sides: a unique farthest point)', () => {
    const gt = gtOf(40, 30, rect(40, 30, 5, 3, 13, 11)); // 9×9 square, centre (9, 7)
    expect(nextClick(gt, undefined)).toMatchObject({ x: 9, y: 7, label: 1, errorDistance: 5 });
  });

  it('breaks ties between equally deep pixels by the first in row-major order (numpy where()[0])', () => {
    const gt = gtOf(40, 30, rect(40, 30, 5, 3, 15, 11)); // 11×9: x = 9..11 of row 7 are all 5 deep
    expect(nextClick(gt, undefined)).toMatchObject({ x: 9, y: 7, errorDistance: 5 });
  });

  it('measures an object touching the image border to the border (padded ground truth)', () => {
    // a 5-wide band over the full height of a 20x5 image: without padding every pixel of the band's
    // centre column would be equally far (only left/right background, so row 0 would win the tie);
    // padding makes row 2 the unique centre
    const gt = gtOf(20, 5, rect(20, 5, 8, 0, 12, 4));
    expect(nextClick(gt, undefined)).toMatchObject({ x: 10, y: 2, label: 1, errorDistance: 3 });
  });

  it('clicks positive in a missed part when it is the larger error, negative in a spill when that is larger', () => {
    const w = 60;
    const h = 30;
    const object = rect(w, h, 2, 2, 30, 27);
    // prediction: the object minus a 5×5 hole around (10,10), plus a 9×9 spill centred at (45,15)
    const spill = rect(w, h, 2, 2, 30, 27);
    for (let y = 8; y <= 12; y++) for (let x = 8; x <= 12; x++) spill[y * w + x] = 0;
    rect(w, h, 41, 11, 49, 19, spill);
    expect(nextClick(gtOf(w, h, object), spill)).toMatchObject({ x: 45, y: 15, label: 0, errorDistance: 5 });

    // a 9×9 hole at (10,10) and a 5×5 spill at (45,15): now the hole is larger
    const hole = rect(w, h, 2, 2, 30, 27);
    for (let y = 6; y <= 14; y++) for (let x = 6; x <= 14; x++) hole[y * w + x] = 0;
    rect(w, h, 43, 13, 47, 17, hole);
    expect(nextClick(gtOf(w, h, object), hole)).toMatchObject({ x: 10, y: 10, label: 1, errorDistance: 5 });
  });

  it('breaks an exact FN/FP tie towards the negative click, as RITM does (fn > fp is required for positive)', () => {
    const w = 40;
    const h = 20;
    const object = rect(w, h, 0, 0, 19, 19);
    const pred = rect(w, h, 0, 0, 19, 19);
    for (let y = 5; y <= 7; y++) for (let x = 5; x <= 7; x++) pred[y * w + x] = 0; // 3×3 hole
    rect(w, h, 30, 5, 32, 7, pred); // 3×3 spill
    expect(nextClick(gtOf(w, h, object), pred)).toMatchObject({ x: 31, y: 6, label: 0 });
  });

  it('never clicks an uncertain (GrabCut 128) pixel and treats the band as boundary', () => {
    // GrabCut encoding: an 11x7 object whose left 4 columns are the uncertain band
    const w = 30;
    const h = 15;
    const px = new Uint8Array(w * h * 3);
    for (let y = 2; y <= 8; y++) for (let x = 2; x <= 12; x++) px[(y * w + x) * 3] = x <= 5 ? 128 : 255;
    const gt = groundTruthFromPixels(px, w, h, 3, 'grabcut');
    expect(gt.ignore![5 * w + 3]).toBe(1);
    expect(gt.object[5 * w + 3]).toBe(0);
    // certain object: columns 6..12, rows 2..8 → centre (9, 5), 4 from the band at x = 5 (as from the background)
    expect(nextClick(gt, undefined)).toMatchObject({ x: 9, y: 5, label: 1, errorDistance: 4 });
    // a prediction covering only the band leaves it out of both error maps: the next click is still in the certain object
    const predBand = rect(w, h, 2, 2, 5, 8);
    expect(nextClick(gt, predBand)).toMatchObject({ x: 9, y: 5, label: 1 });
    // and a prediction of exactly the certain part has no error left, whatever it does on the band
    expect(nextClick(gt, rect(w, h, 6, 2, 12, 8))).toBeUndefined();
  });

  it('skips pixels already clicked and returns undefined when there is no error left', () => {
    const gt = gtOf(11, 11, rect(11, 11, 2, 2, 8, 8));
    const clicked = new Uint8Array(121);
    clicked[5 * 11 + 5] = 1;
    const c = nextClick(gt, undefined, clicked)!;
    expect([c.x, c.y]).not.toEqual([5, 5]);
    expect(c.errorDistance).toBe(3);
    expect(nextClick(gt, gt.object)).toBeUndefined();
  });
});

describe('interactiveIou', () => {
  it('leaves ignored pixels out of intersection and union (hand-computed)', () => {
    // 1x6: object = [1,1,1,0,0,0], ignore = [0,0,1,1,0,0], pred = [1,0,1,1,1,0]
    const gt = gtOf(6, 1, Uint8Array.from([1, 1, 1, 0, 0, 0]), Uint8Array.from([0, 0, 1, 1, 0, 0]));
    const pred = Uint8Array.from([1, 0, 1, 1, 1, 0]);
    // counted pixels 0,1,4,5: inter = {0} = 1; union = {0,1,4} = 3
    expect(interactiveIou(pred, gt)).toBeCloseTo(1 / 3, 12);
    // without the ignore band: inter {0,2} = 2, union {0,1,2,3,4} = 5
    expect(interactiveIou(pred, gtOf(6, 1, gt.object))).toBeCloseTo(2 / 5, 12);
  });
});

describe('numberOfClicks', () => {
  it('is the 1-based first click reaching the threshold, or the cap when never reached', () => {
    const ious = [0.5, 0.84, 0.86, 0.8, 0.91, 0.95];
    expect(numberOfClicks(ious, 0.85, 20)).toBe(3);
    expect(numberOfClicks(ious, 0.9, 20)).toBe(5);
    expect(numberOfClicks(ious, 0.96, 20)).toBe(20);
    expect(numberOfClicks([0.9], 0.9)).toBe(1);
    // a hit after the cap does not count
    expect(numberOfClicks(ious, 0.9, 4)).toBe(4);
  });

  it('summarizes means, failures and the per-click mIoU curve', () => {
    const s = summarizeInteractive(
      [
        { id: 'a', ious: [0.95], clicks: [[1, 1, 1]], encodeMs: 10, clicksMs: 2 },
        { id: 'b', ious: [0.5, 0.86, 0.7], clicks: [], encodeMs: 30, clicksMs: 6 },
      ],
      3,
    );
    expect(s.miou1).toBeCloseTo(0.725, 12);
    expect(s.noc85).toBeCloseTo((1 + 2) / 2, 12);
    expect(s.noc90).toBeCloseTo((1 + 3) / 2, 12);
    expect([s.failed85, s.failed90]).toEqual([0, 1]);
    expect(s.miouAtClick.map((v) => +v.toFixed(6))).toEqual([0.725, 0.905, 0.825]);
    expect(s.meanEncodeMs).toBe(20);
    expect(s.meanClickMs).toBeCloseTo(8 / 4, 12);
  });
});

describe('runClickSession', () => {
  it('feeds clicks and the previous prediction to the predictor and measures IoU until the target', async () => {
    const w = 30;
    const h = 20;
    const gt = gtOf(w, h, rect(w, h, 3, 3, 25, 15));
    const calls: Array<{ n: number; hadPrevious: boolean; prevTag?: number }> = [];
    // a fake model: click 1 predicts the left half of the object, click 2 adds a spill, click 3 is exact
    const masks = [rect(w, h, 3, 3, 13, 15), rect(w, h, 26, 0, 29, 19, rect(w, h, 3, 3, 25, 15)), rect(w, h, 3, 3, 25, 15)];
    const session = await runClickSession(
      gt,
      async (clicks, previous): Promise<ClickPrediction> => {
        calls.push({ n: clicks.length, hadPrevious: previous !== undefined, prevTag: previous?.lowResLogits[0] });
        const mask = masks[clicks.length - 1];
        return { mask, lowResLogits: Float32Array.of(clicks.length) };
      },
      { maxClicks: 10, stopAtIou: 0.99 },
    );
    expect(calls).toEqual([
      { n: 1, hadPrevious: false, prevTag: undefined },
      { n: 2, hadPrevious: true, prevTag: 1 },
      { n: 3, hadPrevious: true, prevTag: 2 },
    ]);
    // click 1 in the object's centre row (x = 9..19 are all 7 deep; the first wins); click 2 positive
    // in the missed right part; click 3 negative in the spill
    expect(session.clicks.map((c) => c.label)).toEqual([1, 1, 0]);
    expect(session.clicks[0]).toMatchObject({ x: 9, y: 9, errorDistance: 7 });
    expect(session.clicks[1].x).toBeGreaterThan(13);
    expect(session.clicks[2].x).toBeGreaterThanOrEqual(26);
    const objectArea = 23 * 13;
    expect(session.ious[0]).toBeCloseTo((11 * 13) / objectArea, 12);
    expect(session.ious[1]).toBeCloseTo(objectArea / (objectArea + 4 * 20), 12);
    expect(session.ious[2]).toBe(1);
    expect(session.stoppedBy).toBe('stopAtIou');
  });

  it('stops at maxClicks when the target is never reached', async () => {
    const gt = gtOf(10, 10, rect(10, 10, 2, 2, 7, 7));
    const empty = new Uint8Array(100);
    const s = await runClickSession(gt, async () => ({ mask: empty, lowResLogits: new Float32Array(1) }), { maxClicks: 4 });
    expect(s.ious).toEqual([0, 0, 0, 0]);
    expect(new Set(s.clicks.map((c) => `${c.x},${c.y}`)).size).toBe(4);
    expect(s.stoppedBy).toBe('maxClicks');
  });
});
