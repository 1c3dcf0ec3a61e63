import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, SamflowError, parseBox, parsePoint, parsePrompt, parsePrompts, promptList } from '../../core';

function errorOf(f: () => unknown): SamflowError {
  try {
    f();
  } catch (e) {
    if (e instanceof SamflowError) return e;
    throw e;
  }
  throw new Error('expected a SamflowError');
}

describe('parsePrompts: one parser for every face', () => {
  it('reads points as objects or tuples, label 1 by default', () => {
    expect(parsePoint([3, 4], 'p')).toEqual({ x: 3, y: 4, label: 1 });
    expect(parsePoint([3, 4, 0], 'p')).toEqual({ x: 3, y: 4, label: 0 });
    expect(parsePoint({ x: 3, y: 4, label: 0 }, 'p')).toEqual({ x: 3, y: 4, label: 0 });
  });

  it('names the input, what was wrong and what to do', () => {
    const e = errorOf(() =>
      parsePrompt(
        {
          points: [
            [1, 2],
            [1, 'a'],
          ],
        },
        'msg.prompts[2]',
      ),
    );
    expect(e.code).toBe('BAD_PROMPT');
    expect(e.source).toBe('msg.prompts[2].points[1]');
    expect(e.message).toMatch(/^msg\.prompts\[2\]\.points\[1\]: x and y must be finite numbers/);
    expect(errorOf(() => parsePoint([1, 2, 3], 'p')).message).toMatch(/label must be 1 \(foreground\) or 0 \(background\), got 3/);
    expect(errorOf(() => parsePrompt({}, 'msg.prompts[0]')).message).toMatch(/needs at least one point or a box/);
  });

  it('refuses an inverted box unless anyCorners sorts it', () => {
    expect(errorOf(() => parseBox([10, 10, 5, 20], 'box')).message).toMatch(/empty or inverted/);
    expect(parseBox([10, 30, 5, 20], 'box', { anyCorners: true })).toEqual([5, 20, 10, 30]);
    expect(parseBox({ x0: 1, y0: 2, x1: 3, y1: 4 }, 'box')).toEqual([1, 2, 3, 4]);
  });

  it("reads an HTTP body's top-level fields: null means absent, '' names fields alone", () => {
    expect(parsePrompt({ file: 'a.png', points: [{ x: 1, y: 2, label: 1 }], box: null }, '')).toEqual({ points: [{ x: 1, y: 2, label: 1 }] });
    expect(parsePrompt({ points: null, box: null }, '', { allowEmpty: true })).toEqual({});
    expect(errorOf(() => parsePrompt({ points: [{ x: 1 }] }, '')).source).toBe('points[0]');
  });

  it('checks the limits before reading the items', () => {
    const many = Array.from({ length: DEFAULT_LIMITS.maxPointsPerPrompt + 1 }, () => 'not a point');
    expect(errorOf(() => parsePrompt({ points: many }, 'msg')).message).toMatch(/65 is over the limit of 64; send fewer, or raise the maxPointsPerPrompt option/);
    expect(errorOf(() => promptList([1, 2, 3], 'msg.prompts', { ...DEFAULT_LIMITS, maxPromptsPerMessage: 2 })).message).toMatch(/maxPromptsPerMessage/);
    const limits = { ...DEFAULT_LIMITS, maxBoxes: 1 };
    expect(errorOf(() => parsePrompts({ boxes: [[0, 0, 1, 1], 'x'] }, 'msg', { limits })).message).toMatch(/msg\.boxes: number of boxes: 2 is over the limit of 1/);
  });

  it('builds prompts from prompts, points+box or boxes', () => {
    expect(parsePrompts({ points: [[1, 2]], box: [0, 0, 5, 5] }, 'msg')).toEqual([{ points: [{ x: 1, y: 2, label: 1 }], box: [0, 0, 5, 5] }]);
    expect(
      parsePrompts(
        {
          boxes: [
            [0, 0, 5, 5],
            [1, 1, 2, 2],
          ],
        },
        'msg',
      ),
    ).toEqual([{ box: [0, 0, 5, 5] }, { box: [1, 1, 2, 2] }]);
    expect(parsePrompts({ prompts: { box: [0, 0, 5, 5], multimask: true, maskRef: 'c1' } }, 'msg')).toEqual([{ box: [0, 0, 5, 5], multimask: true, maskRef: 'c1' }]);
    expect(errorOf(() => parsePrompts({}, 'config')).message).toMatch(/^config: no prompt found: set config\.points/);
    expect(errorOf(() => parsePrompts({ prompts: [] }, 'msg')).source).toBe('msg.prompts');
  });
});
