import { describe, expect, it } from 'vitest';
import { encodePrompts } from '../../core/prompts/encodePrompts';
import { SamTransform } from '../../core/geometry/SamTransform';
import { SamflowError } from '../../core/errors';
import type { SamPrompt } from '../../core/types';

const t = new SamTransform(600, 400); // model frame 1024 x 683

describe('encodePrompts', () => {
  it('points only: coordinates in the 1024 frame plus SAM’s padding point labelled −1', () => {
    const f = encodePrompts(
      {
        points: [
          { x: 300, y: 200, label: 1 },
          { x: 60, y: 40, label: 0 },
        ],
      },
      t,
    );
    expect(f.numPoints).toBe(3);
    expect(Array.from(f.pointLabels)).toEqual([1, 0, -1]);
    expect(f.pointCoords[0]).toBeCloseTo(512, 4);
    expect(f.pointCoords[1]).toBeCloseTo(200 * (683 / 400), 4);
    expect(f.pointCoords[2]).toBeCloseTo(102.4, 4);
    expect([f.pointCoords[4], f.pointCoords[5]]).toEqual([0, 0]);
    expect(f.hasMaskInput[0]).toBe(0);
    expect(f.maskInput.length).toBe(256 * 256);
    expect(Array.from(f.origImSize)).toEqual([400, 600]);
  });

  it('a box becomes two corner points labelled 2 and 3 and no padding point', () => {
    const f = encodePrompts({ box: [0, 0, 600, 400] }, t);
    expect(f.numPoints).toBe(2);
    expect(Array.from(f.pointLabels)).toEqual([2, 3]);
    expect(Array.from(f.pointCoords)).toEqual([0, 0, 1024, 683]);
  });

  it('box + points: points first, then the box corners', () => {
    const f = encodePrompts({ points: [{ x: 300, y: 200, label: 1 }], box: [30, 20, 330, 220] }, t);
    expect(Array.from(f.pointLabels)).toEqual([1, 2, 3]);
    expect(f.pointCoords[2]).toBeCloseTo(51.2, 4);
  });

  it('a mask prompt goes to mask_input with has_mask_input = 1', () => {
    const m = new Float32Array(256 * 256).fill(3);
    const f = encodePrompts({ points: [{ x: 1, y: 1, label: 1 }], maskInput: m }, t);
    expect(f.maskInput).toBe(m);
    expect(f.hasMaskInput[0]).toBe(1);
  });

  const bad: Array<[string, SamPrompt, RegExp]> = [
    ['no points and no box', {}, /no points and no box/],
    ['a point outside the image', { points: [{ x: 601, y: 10, label: 1 }] }, /point 0 \(601, 10\) is outside the 600x400 image/],
    ['a NaN coordinate', { points: [{ x: NaN, y: 10, label: 1 }] }, /finite numbers/],
    ['a missing label', { points: [{ x: 5, y: 10 } as never] }, /has no label/],
    ['a wrong label', { points: [{ x: 5, y: 10, label: 2 as never }] }, /label must be 1/],
    ['a box with x1 < x0', { box: [100, 10, 50, 60] }, /need x1 > x0/],
    ['a box outside the image', { box: [10, 10, 700, 60] }, /outside the 600x400 image/],
    ['a wrong-size mask prompt', { points: [{ x: 5, y: 5, label: 1 }], maskInput: new Float32Array(64 * 64) }, /256x256.*got 4096 values/],
  ];
  it.each(bad)('refuses %s with a clear message', (_name, prompt, message) => {
    let err: unknown;
    try {
      encodePrompts(prompt, t);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SamflowError);
    expect((err as SamflowError).code).toBe('BAD_PROMPT');
    expect((err as SamflowError).message).toMatch(message);
  });
});
