import { describe, expect, it } from 'vitest';
import { SamTransform } from '../../core/geometry/SamTransform';
import type { DecoderOutput, SamModel } from '../../core/model/SamModel';
import { maskBoxXyxy, samClickPredictor } from '../../core/eval/samClickPredictor';
import type { ProtocolClick } from '../../core/eval/nextClick';
import { LOW_RES_SIZE, type DecoderFeeds, type EmbeddedFrame } from '../../core/types';
import { sam1Embedding } from '../support/sam1Embedding';
import { fakeSam1Spec } from '../support/fakeSam1Spec';

const spec = fakeSam1Spec('fake', 'fake decoder that scores prompts by kind', { pixelMean: [0, 0, 0], pixelStd: [1, 1, 1] });

/**
 * A 1024×1024 image (low-res grid = image / 4). The fake decoder returns a filled low-res square
 * at the origin whose side and predicted IoU depend on the prompt's kind, so the test can tell which
 * candidate won: no mask prompt → `sides.plain` px, IoU `scores.plain`; mask prompt only →
 * `sides.mask`, `scores.mask`; box (labels 2/3) → `sides.box`, `scores.box`.
 */
function fakeModel(scores: { plain: number; mask: number; box: number }, sides = { plain: 40, mask: 60, box: 80 }): SamModel & { calls: DecoderFeeds[] } {
  const calls: DecoderFeeds[] = [];
  return {
    id: 'fake',
    spec,
    released: false,
    calls,
    runEncoder: async () => sam1Embedding(),
    release: async () => undefined,
    runDecoder: async (_e, feeds): Promise<DecoderOutput> => {
      calls.push(feeds);
      const hasBox = Array.from(feeds.pointLabels).includes(2);
      const side = hasBox ? sides.box : feeds.hasMaskInput[0] === 1 ? sides.mask : sides.plain;
      const iou = hasBox ? scores.box : feeds.hasMaskInput[0] === 1 ? scores.mask : scores.plain;
      const low = new Float32Array(LOW_RES_SIZE * LOW_RES_SIZE).fill(-10); // float32[1,1,256,256]
      for (let y = 0; y < side / 4; y++) for (let x = 0; x < side / 4; x++) low[y * LOW_RES_SIZE + x] = 10;
      return { iouPredictions: Float32Array.of(iou), lowResMasks: low, numMasks: 1 };
    },
  };
}

const embedded: EmbeddedFrame = {
  frame: { id: 'img', width: 1024, height: 1024, rgb: new Uint8Array(1024 * 1024 * 3) },
  embedding: sam1Embedding(),
  transform: new SamTransform(1024, 1024, 1024),
  modelId: 'fake',
};
const click = (x: number, y: number, label: 0 | 1): ProtocolClick => ({ x, y, label, errorDistance: 1 });
const area = (m: Uint8Array): number => m.reduce((s, v) => s + v, 0);
/** Pixels of an upscaled `side` px square: bilinear interpolation drops its far corner pixel (logit < 0 there). */
const squareArea = (side: number): number => side * side - 1;

describe('samClickPredictor', () => {
  it('plain: all clicks, and the previous logits as mask prompt from click 2 on (one decode per click)', async () => {
    const model = fakeModel({ plain: 0.5, mask: 0.9, box: 0.95 });
    const predict = samClickPredictor(model, embedded, 'plain');
    const first = await predict([click(10, 10, 1)], undefined);
    expect(area(first.mask)).toBe(squareArea(40));
    const second = await predict([click(10, 10, 1), click(50, 50, 0)], first);
    expect(area(second.mask)).toBe(squareArea(60));
    expect(model.calls).toHaveLength(2);
    expect(model.calls.map((c) => c.hasMaskInput[0])).toEqual([0, 1]);
    expect(model.calls[1].maskInput).toEqual(first.lowResLogits);
    // the two clicks plus SAM's padding point (label −1), no box
    expect(Array.from(model.calls[1].pointLabels)).toEqual([1, 0, -1]);
  });

  // 80/84/88 px squares: the refinements stay close to the first mask (IoU 0.91 and 0.83 >= 0.8)
  const close = { plain: 80, mask: 84, box: 88 };

  it("improved: refines click 1 with its own mask, then with that mask's box, and keeps the highest predicted IoU", async () => {
    const model = fakeModel({ plain: 0.5, mask: 0.7, box: 0.9 }, close);
    const p = await samClickPredictor(model, embedded, 'improved')([click(10, 10, 1)], undefined);
    expect(model.calls).toHaveLength(3);
    expect(model.calls.map((c) => c.hasMaskInput[0])).toEqual([0, 1, 1]);
    // the box comes from the 84 px refined mask: corners (0,0) and (83,83) with labels 2 and 3
    expect(Array.from(model.calls[2].pointLabels)).toEqual([1, 2, 3]);
    expect(Array.from(model.calls[2].pointCoords.slice(2))).toEqual([0, 0, 83, 83]);
    expect(area(p.mask)).toBe(squareArea(88));
    expect(p.predictedIou).toBeCloseTo(0.9, 6);
  });

  it('improved keeps the plain prediction when the model rates it highest', async () => {
    const model = fakeModel({ plain: 0.95, mask: 0.7, box: 0.6 }, close);
    const p = await samClickPredictor(model, embedded, 'improved')([click(10, 10, 1)], undefined);
    expect(area(p.mask)).toBe(squareArea(80));
  });

  it('improved refuses a "refinement" that jumps to a different mask (IoU < 0.8 with the first), however well rated', async () => {
    const model = fakeModel({ plain: 0.5, mask: 0.7, box: 0.99 }, { plain: 40, mask: 44, box: 80 });
    const p = await samClickPredictor(model, embedded, 'improved')([click(10, 10, 1)], undefined);
    // 44 px stays close to 40 px (IoU 0.83) and beats it; 80 px (IoU 0.25) is refused
    expect(area(p.mask)).toBe(squareArea(44));
  });

  it('improved is plain after the first click (one decode with the previous logits)', async () => {
    const model = fakeModel({ plain: 0.5, mask: 0.7, box: 0.9 }, close);
    const predict = samClickPredictor(model, embedded, 'improved');
    const first = await predict([click(10, 10, 1)], undefined);
    model.calls.length = 0;
    await predict([click(10, 10, 1), click(50, 50, 0)], first);
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0].maskInput).toEqual(first.lowResLogits);
  });

  it('maskBoxXyxy gives inclusive corners, undefined for an empty mask', () => {
    const m = new Uint8Array(5 * 4);
    m[1 * 5 + 2] = 1;
    m[3 * 5 + 4] = 1;
    expect(maskBoxXyxy(m, 5, 4)).toEqual([2, 1, 4, 3]);
    expect(maskBoxXyxy(new Uint8Array(20), 5, 4)).toBeUndefined();
  });
});
