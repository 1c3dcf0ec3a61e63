import { describe, expect, it } from 'vitest';
import { CoverageSkipper, skipCoveredRule, type CoverageSkipperOptions, type DecodedCandidateInfo } from '../../core/amg/CoverageSkipper';
import { SamTransform } from '../../core/geometry/SamTransform';
import { LOW_RES_SIZE, type EmbeddedFrame } from '../../core/types';
import { sam1Embedding } from '../support/sam1Embedding';

// A 1024×1024 image (model frame = image pixels) with a 2-channel 4×4 feature map: feature pixel
// (x, y) covers model pixels [256x, 256x + 256) and has its centre at 256x + 128. The grid points
// sit on feature pixel centres, so their bilinear features are the pixels' own:
//   A (128,128) → pixel (0,0), B (640,128) → (2,0), C (128,640) → (0,2), D (640,640) → (2,2).
const A = 0;
const B = 1;
const C = 2;
const D = 3;
const points: ReadonlyArray<readonly [number, number]> = [
  [128, 128],
  [640, 128],
  [128, 640],
  [640, 640],
];
const unit = (cos: number): [number, number] => [cos, Math.sqrt(1 - cos * cos)];

function embedded(): EmbeddedFrame {
  const pixel: Record<string, [number, number]> = {
    '0,0': [1, 0], // A
    '2,0': [1, 0], // B: same feature as A
    '1,0': unit(0.78), // between A and B: cosine 0.78 with A
    '0,2': [1, 0], // C: same feature as A
    '0,1': unit(0.6), // between A and C: cosine 0.6 with A (a boundary)
    '2,2': unit(0.95), // D: cosine 0.95 with A
    '1,1': [1, 0], // between A and D
  };
  const emb = new Float32Array(2 * 16); // float32[1,2,4,4]
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 4; x++) {
      const [f0, f1] = pixel[`${x},${y}`] ?? [1, 0];
      emb[y * 4 + x] = f0;
      emb[16 + y * 4 + x] = f1;
    }
  }
  return {
    frame: { id: 'grid', width: 1024, height: 1024, rgb: new Uint8Array(0) },
    embedding: sam1Embedding(emb, [1, 2, 4, 4]),
    transform: new SamTransform(1024, 1024),
    modelId: 'test',
  };
}

/** Low-res logits: `inside` (default 5) at every point's low-res pixel (x/4, y/4), overrides per point. */
function logits(over: Partial<Record<number, number>> = {}, inside = 5): Float32Array {
  const l = new Float32Array(LOW_RES_SIZE * LOW_RES_SIZE).fill(-5);
  points.forEach(([x, y], i) => (l[Math.floor(y / 4) * LOW_RES_SIZE + Math.floor(x / 4)] = over[i] ?? inside));
  return l;
}

const opts: CoverageSkipperOptions = { similarity: 0.9, predIouThresh: 0.88, stabilityScoreThresh: 0.95 };
const passed = (l = logits()): DecodedCandidateInfo => ({ lowResLogits: l, predictedIou: 0.95, stabilityScore: 0.97 });

describe('CoverageSkipper', () => {
  it('point similarity and the least similarity along the segment between two points', () => {
    const s = new CoverageSkipper(embedded(), points, opts);
    expect(s.similarity(A, B)).toBeCloseTo(1, 6);
    expect(s.similarity(A, D)).toBeCloseTo(0.95, 6);
    // A→B: samples every 128 px at x = 128, 256, 384, 512, 640 → pixels (0,0), (1,0), (1,0), (2,0), (2,0)
    expect(s.pathSimilarityBetween(A, B)).toBeCloseTo(0.78, 6);
    // A→C crosses pixel (0,1)
    expect(s.pathSimilarityBetween(A, C)).toBeCloseTo(0.6, 6);
    // A→D: 6 samples on the diagonal → pixels (0,0), (0,0), (1,1), (1,1), (2,2), (2,2); the least is D itself
    expect(s.pathSimilarityBetween(A, D)).toBeCloseTo(0.95, 6);
  });

  it('a mask that passed explains the points it holds that are similar and not behind a boundary', () => {
    const s = new CoverageSkipper(embedded(), points, opts);
    expect([B, C, D].map((q) => s.isExplained(q))).toEqual([false, false, false]);
    s.addDecoded(A, [passed()]);
    // B: cosine 1, path 0.78 >= 0.75; C: path 0.6 < 0.75; D: cosine 0.95 >= 0.9, path 0.95
    expect([B, C, D].map((q) => s.isExplained(q))).toEqual([true, false, true]);
  });

  it('the point cosine must reach `similarity`', () => {
    const s = new CoverageSkipper(embedded(), points, { ...opts, similarity: 0.96 });
    s.addDecoded(A, [passed()]);
    expect([B, C, D].map((q) => s.isExplained(q))).toEqual([true, false, false]); // D: 0.95 < 0.96
  });

  it('a point must lie in the mask with logit above coverLogit (1)', () => {
    const s = new CoverageSkipper(embedded(), points, opts);
    s.addDecoded(A, [passed(logits({ [B]: 1, [D]: 1.5 }))]);
    expect([B, D].map((q) => s.isExplained(q))).toEqual([false, true]);
  });

  it('a mask that failed clearly explains with stricter thresholds; one that failed narrowly explains nothing', () => {
    // failed by more than 0.03 (IoU 0.8 <= 0.88 - 0.03): cosine >= 0.9 + 0.02, path >= 0.8
    const clearly = new CoverageSkipper(embedded(), points, opts);
    clearly.addDecoded(A, [{ lowResLogits: logits(), predictedIou: 0.8, stabilityScore: 0.99 }]);
    expect([B, C, D].map((q) => clearly.isExplained(q))).toEqual([false, false, true]); // B: path 0.78 < 0.8
    // stability 0.93 misses 0.95 by 0.02 and IoU 0.87 misses 0.88 by 0.01: not clearly
    const narrowly = new CoverageSkipper(embedded(), points, opts);
    narrowly.addDecoded(A, [{ lowResLogits: logits(), predictedIou: 0.87, stabilityScore: 0.93 }]);
    expect([B, C, D].map((q) => narrowly.isExplained(q))).toEqual([false, false, false]);
    // failedSimilarityOffset 0.06: a failed mask needs cosine >= 0.96, D has 0.95
    const off = new CoverageSkipper(embedded(), points, { ...opts, failedSimilarityOffset: 0.06 });
    off.addDecoded(A, [{ lowResLogits: logits(), predictedIou: 0.8, stabilityScore: 0.99 }]);
    expect(off.isExplained(D)).toBe(false);
  });

  it('pathSimilarity -1 turns the segment test off (the earlier rule: point cosine only)', () => {
    const s = new CoverageSkipper(embedded(), points, { ...opts, pathSimilarity: -1 });
    s.addDecoded(A, [passed()]);
    expect([B, C, D].map((q) => s.isExplained(q))).toEqual([true, true, true]);
  });

  it("perToken (skipCovered's rule): a point is explained only when each of the 3 mask tokens is", () => {
    const perToken = { ...opts, explainBy: 'perToken' as const };
    const failed = (l = logits()): DecodedCandidateInfo => ({ lowResLogits: l, predictedIou: 0.5, stabilityScore: 0.99 });
    // A's whole and part masks hold B and D, its subpart only D
    const s = new CoverageSkipper(embedded(), points, perToken);
    s.addDecoded(A, [passed(logits({ [B]: -5 })), passed(), passed()]);
    expect([B, D].map((q) => s.isExplained(q))).toEqual([false, true]);
    // C's first mask holds B but failed narrowly (IoU 0.87): it explains nothing
    s.addDecoded(C, [{ lowResLogits: logits(), predictedIou: 0.87, stabilityScore: 0.99 }, passed(logits({ [B]: -5 })), passed(logits({ [B]: -5 }))]);
    expect(s.isExplained(B)).toBe(false);
    // D's first mask failed clearly and holds B (cosine 0.95 >= 0.92, segment D→B 0.95 >= 0.8): it
    // explains B's first token; A's masks explain the other two
    s.addDecoded(D, [failed(), failed(logits({ [B]: -5 })), failed(logits({ [B]: -5 }))]);
    expect(s.isExplained(B)).toBe(true);
    // with 'any' one mask suffices
    const any = new CoverageSkipper(embedded(), points, opts);
    any.addDecoded(A, [passed(logits({ [B]: -5 })), passed(), passed()]);
    expect(any.isExplained(B)).toBe(true);
  });

  it('skipCoveredRule: the per-token rule at the AMG similarity, held at logit > 0', () => {
    const rule = skipCoveredRule({ skipCoveredSimilarity: 0.9, predIouThresh: 0.88, stabilityScoreThresh: 0.95 });
    expect(rule).toMatchObject({ explainBy: 'perToken', similarity: 0.9, coverLogit: 0 });
    const s = new CoverageSkipper(embedded(), points, rule);
    s.addDecoded(A, [passed(logits({ [D]: 0.5 })), passed(logits({ [D]: 0.5 })), passed(logits({ [D]: 0.5 }))]);
    expect(s.isExplained(D)).toBe(true); // logit 0.5 > 0 (the old rule needed > 1)
  });

  it('any decoded candidate may explain a point', () => {
    const s = new CoverageSkipper(embedded(), points, opts);
    s.addDecoded(A, [passed(logits({ [D]: -5 })), passed(logits({ [B]: -5 }))]);
    expect([B, D].map((q) => s.isExplained(q))).toEqual([true, true]);
  });
});
