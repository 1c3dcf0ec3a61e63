import { describe, expect, it } from 'vitest';
import { SamTransform } from '../../core/geometry/SamTransform';
import { preprocessImage } from '../../core/image/preprocessImage';
import { encodePrompts } from '../../core/prompts/encodePrompts';
import { familyOf } from '../../core/model/family/familyOf';
import { sam2Family } from '../../core/model/family/sam2Family';
import { manifestEntry, specOf } from '../../core/model/manifest';

const MEAN = [123.675, 116.28, 103.53] as const;
const STD = [58.395, 57.12, 57.375] as const;

describe('SAM 2 preprocessing: a square 1024×1024 resize (SAM2Transforms), no aspect kept, no padding', () => {
  it('SamTransform square maps each axis by its own ratio, both ways', () => {
    const t = new SamTransform(400, 100, 1024, 'square');
    expect([t.resizedWidth, t.resizedHeight]).toEqual([1024, 1024]);
    expect(t.lowResValid).toEqual([256, 256]);
    expect([t.toModelX(200), t.toModelY(50)]).toEqual([512, 512]);
    expect([t.toOriginalX(1024), t.toOriginalY(1024)]).toEqual([400, 100]);
    expect(t.applyBox([100, 25, 300, 75])).toEqual([256, 256, 768, 768]);
    const sam1 = new SamTransform(400, 100, 1024);
    expect([sam1.resizedWidth, sam1.resizedHeight]).toEqual([1024, 256]); // unchanged default: SAM 1's longest side
  });

  it('preprocessImage with resize square fills the whole 1024×1024 input (the bottom rows are image, not padding)', async () => {
    const frame = { id: 'flat', width: 200, height: 50, rgb: new Uint8Array(200 * 50 * 3).fill(200) };
    const { input, transform } = await preprocessImage(frame, { inputSize: 1024, pixelMean: MEAN, pixelStd: STD, resize: 'square' });
    expect(input.length).toBe(3 * 1024 * 1024);
    expect([transform.resizedWidth, transform.resizedHeight, transform.resize]).toEqual([1024, 1024, 'square']);
    const v = (c: number, y: number, x: number): number => input[c * 1024 * 1024 + y * 1024 + x];
    for (const [y, x] of [
      [0, 0],
      [1023, 1023],
      [1023, 0],
      [600, 700],
    ])
      expect(v(0, y, x)).toBeCloseTo((200 - MEAN[0]) / STD[0], 5);
    const longest = await preprocessImage(frame, { inputSize: 1024, pixelMean: MEAN, pixelStd: STD });
    expect(longest.input[1023 * 1024]).toBe(0); // SAM 1: padded
  });

  it('the sam2 family resizes square and feeds prompts without SAM 1’s padding point (its decoder pads)', () => {
    const spec = specOf('sam2.1-hiera-tiny', manifestEntry('sam2.1-hiera-tiny'));
    expect(spec.family).toBe('sam2');
    expect(familyOf(spec.family)).toBe(sam2Family);
    expect(sam2Family.resize).toBe('square');
    const t = new SamTransform(400, 100, 1024, 'square');
    const click = sam2Family.promptFeeds(spec, encodePrompts({ points: [{ x: 200, y: 50, label: 1 }] }, t));
    expect(click.point_coords.dims).toEqual([1, 1, 2]);
    expect([...(click.point_coords.data as Float32Array)]).toEqual([512, 512]);
    expect([...(click.point_labels.data as Float32Array)]).toEqual([1]);
    const box = sam2Family.promptFeeds(spec, encodePrompts({ box: [100, 25, 300, 75] }, t));
    expect([...(box.point_labels.data as Float32Array)]).toEqual([2, 3]);
    expect([...(box.point_coords.data as Float32Array)]).toEqual([256, 256, 768, 768]);
    expect(familyOf(undefined).name).toBe('sam1');
    expect(() => familyOf('sam3', 'models/x/model.json')).toThrow(/models\/x\/model\.json: unknown model family "sam3"/);
  });
});
