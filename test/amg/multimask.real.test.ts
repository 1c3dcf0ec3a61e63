/**
 * AMG as SAM does it (multimask_output=True): every grid point's 3 masks go through the filters.
 * Real default model on a synthetic scene; the old behaviour (one mask per point, the export's own
 * pick) is loadSamModel({ multimask: false }).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../core/image';
import { loadSamModel } from '../../core/model/loadSamModel';
import type { SamModel } from '../../core/model/SamModel';
import { generateMasksProgressive, type AmgEvent } from '../../core/amg/generateMasksProgressive';
import { decodeMasks } from '../../core/model/decodeMasks';
import { encodeImage } from '../../core/model/encodeImage';
import type { AmgRecord } from '../../core/records';
import type { EmbeddedFrame, Frame, MaskCandidate } from '../../core/types';
import { renderScene, type Shape } from '../support/syntheticScene';

const shapes: Shape[] = [
  { kind: 'circle', cx: 110, cy: 110, r: 65, color: '#2060e0' },
  { kind: 'rect', x: 260, y: 50, w: 130, h: 110, color: '#e0a020' },
  { kind: 'circle', cx: 330, cy: 250, r: 50, color: '#20b040' },
];

let three: SamModel;
let one: SamModel;
let frame: Frame;
let embedded: EmbeddedFrame;
beforeAll(async () => {
  [three, one] = await Promise.all([loadSamModel({ threads: 1 }), loadSamModel({ threads: 1, multimask: false })]);
  frame = await decodeImage(await renderScene(480, 320, shapes), { id: 'shapes' });
  embedded = await encodeImage(three, frame);
}, 300_000);
afterAll(async () => {
  await Promise.all([three?.release(), one?.release()]);
});

async function run(model: SamModel): Promise<{ candidates: MaskCandidate[]; records: AmgRecord[]; decoded: number }> {
  const candidates: MaskCandidate[] = [];
  let done: Extract<AmgEvent, { kind: 'done' }> | undefined;
  const e = model === three ? embedded : { ...embedded, modelId: model.id };
  for await (const ev of generateMasksProgressive(model, frame, { pointsPerSide: 8, embedded: e })) {
    if (ev.kind === 'batch') candidates.push(...ev.candidates);
    else done = ev;
  }
  return { candidates, records: done!.records, decoded: done!.decoded };
}

describe('generateMasks keeps the 3 masks of every grid point', () => {
  it('the filtered candidates are a strict superset of the 1-mask AMG’s; records say which point and mask', async () => {
    expect([three.spec.decoder.multimask, one.spec.decoder.multimask]).toEqual([true, false]);
    const [a, b] = [await run(three), await run(one)];
    expect(a.decoded).toBe(64);
    expect(b.decoded).toBe(64);
    const meta = (c: MaskCandidate): { gridIndex: number; maskIndex: number } => c.prompt.meta as { gridIndex: number; maskIndex: number };
    expect(new Set(a.candidates.map((c) => meta(c).maskIndex))).toEqual(new Set([1, 2, 3]));
    expect(new Set(b.candidates.map((c) => meta(c).maskIndex))).toEqual(new Set([0]));
    // every 1-mask survivor is, bit for bit, one of the same grid point's 3 survivors
    for (const c of b.candidates) {
      const twin = a.candidates.find((x) => meta(x).gridIndex === meta(c).gridIndex && x.predictedIou === c.predictedIou);
      expect(twin, `grid point ${meta(c).gridIndex}`).toBeDefined();
      expect(twin!.lowResLogits).toEqual(c.lowResLogits);
    }
    expect(a.candidates.length).toBeGreaterThan(b.candidates.length);
    // records: meta {gridIndex, maskIndex}; decoding that point again gives that mask's IoU
    expect(a.records.length).toBeGreaterThan(0);
    for (const r of a.records) {
      const m = r.meta as { gridIndex: number; maskIndex: number };
      expect(Number.isInteger(m.gridIndex) && m.gridIndex >= 0 && m.gridIndex < 64).toBe(true);
      expect([1, 2, 3]).toContain(m.maskIndex);
      const [x, y] = r.point_coords[0];
      const again = await decodeMasks(three, embedded, { points: [{ x, y, label: 1 }], multimask: true });
      expect(again.find((c) => c.maskIndex === m.maskIndex)!.predictedIou).toBe(r.predicted_iou);
    }
  }, 600_000);
});
