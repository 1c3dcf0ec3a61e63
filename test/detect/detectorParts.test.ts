import { describe, expect, it } from 'vitest';
import { boxIouXywh, chooseDetectorBackend, letterboxFrame, letterboxGeometry, nmsDetections, rawDetectionsToDetections, validateDetectOptions } from '../../core/detect';
import { SamflowError } from '../../core/errors';

describe('chooseDetectorBackend', () => {
  const none = () => undefined;
  const hasTfjsNode = (id: string) => (id === '@tensorflow/tfjs-node' ? '/x/node_modules/@tensorflow/tfjs-node/index.js' : undefined);
  it("picks tfjs-node under 'auto' when it resolves, wasm otherwise", () => {
    expect(chooseDetectorBackend('auto', hasTfjsNode)).toBe('tfjs-node');
    expect(chooseDetectorBackend('auto', none)).toBe('wasm');
  });
  it('falls back to wasm on this machine, where tfjs-node cannot install', () => {
    expect(chooseDetectorBackend()).toBe('wasm');
  });
  it('refuses an explicit tfjs-node that is not installed, with the install command', () => {
    expect(() => chooseDetectorBackend('tfjs-node', none)).toThrowError(/npm install @tensorflow\/tfjs-node/);
    expect(chooseDetectorBackend('tfjs-node', hasTfjsNode)).toBe('tfjs-node');
    expect(chooseDetectorBackend('cpu', hasTfjsNode)).toBe('cpu');
    expect(() => chooseDetectorBackend('gpu' as 'cpu', none)).toThrowError(SamflowError);
  });
});

describe('letterbox', () => {
  it('keeps the aspect ratio: 451x300 → 512x341 (300*512/451 = 340.6)', () => {
    expect(letterboxGeometry(451, 300, 512)).toEqual({ scale: 512 / 451, resizedWidth: 512, resizedHeight: 341 });
    expect(letterboxGeometry(100, 400, 512)).toEqual({ scale: 1.28, resizedWidth: 128, resizedHeight: 512 });
  });
  it('places the resized image top-left and pads with zeros', async () => {
    // 4x2 uniform red image → 512x256 red block on top, black below.
    const rgb = new Uint8Array(4 * 2 * 3);
    for (let i = 0; i < rgb.length; i += 3) rgb[i] = 200;
    const lb = await letterboxFrame({ id: 'r', width: 4, height: 2, rgb }, 512);
    expect(lb.input.length).toBe(512 * 512 * 3);
    const px = (x: number, y: number) => Array.from(lb.input.subarray((y * 512 + x) * 3, (y * 512 + x) * 3 + 3));
    expect(px(0, 0)).toEqual([200, 0, 0]);
    expect(px(511, 255)).toEqual([200, 0, 0]);
    expect(px(0, 256)).toEqual([0, 0, 0]);
    expect(px(511, 511)).toEqual([0, 0, 0]);
  });
});

describe('nmsDetections', () => {
  it('computes IoU of XYWH boxes', () => {
    expect(boxIouXywh([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(50 / 150);
    expect(boxIouXywh([0, 0, 10, 10], [20, 20, 5, 5])).toBe(0);
  });
  it('keeps the best of overlapping boxes regardless of class, unless perClass', () => {
    const dets = [
      { bbox: [0, 0, 10, 10] as const, class: 'dog', score: 0.4 },
      { bbox: [1, 0, 10, 10] as const, class: 'cat', score: 0.5 },
      { bbox: [50, 50, 10, 10] as const, class: 'dog', score: 0.3 },
    ];
    expect(nmsDetections(dets, 0.5).map((d) => d.class + d.score)).toEqual(['cat0.5', 'dog0.3']);
    expect(nmsDetections(dets, 0.5, true).map((d) => d.class + d.score)).toEqual(['cat0.5', 'dog0.4', 'dog0.3']);
  });
});

describe('rawDetectionsToDetections', () => {
  it('undoes the letterbox scale, clips, names COCO classes and filters', () => {
    // image 1024x512 letterboxed into 512: scale 0.5.
    const raw = new Float32Array([
      -10,
      20,
      100,
      120,
      0.9,
      15, // cat: x0 -20 → 0, y0 40, x1 200, y1 240
      300,
      100,
      600,
      300,
      0.6,
      16, // dog: x0 600, y0 200, x1 1200 → 1024, y1 600 → 512
      0,
      0,
      10,
      10,
      0.1,
      0, // person below minScore
      5,
      5,
      5,
      50,
      0.8,
      2, // empty width → dropped
      0,
      0,
      10,
      10,
      0.9,
      NaN, // no class → dropped
    ]);
    const opts = validateDetectOptions({ minScore: 0.3 });
    expect(rawDetectionsToDetections(raw, 0.5, 1024, 512, opts)).toEqual([
      { bbox: [0, 40, 200, 200], class: 'cat', score: expect.closeTo(0.9, 6) },
      { bbox: [600, 200, 424, 312], class: 'dog', score: expect.closeTo(0.6, 6) },
    ]);
    const cats = rawDetectionsToDetections(raw, 0.5, 1024, 512, validateDetectOptions({ classes: ['cat'] }));
    expect(cats.map((d) => d.class)).toEqual(['cat']);
    expect(rawDetectionsToDetections(raw, 0.5, 1024, 512, validateDetectOptions({ maxDetections: 1 }))).toHaveLength(1);
  });
  it('rejects unknown class names and out-of-range options, listing what is valid', () => {
    expect(() => validateDetectOptions({ classes: ['kitty'] })).toThrowError(/unknown class name\(s\) "kitty".*person, bicycle/);
    expect(() => validateDetectOptions({ minScore: 2 })).toThrowError(/minScore must be a number between 0 and 1/);
    expect(() => validateDetectOptions({ maxDetections: 0 })).toThrowError(/maxDetections/);
  });
});
