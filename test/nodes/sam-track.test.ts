import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { rleToMask } from '../../core/masks';
import type { MaskRecord } from '../../core/types';
import { FakeSamModel } from './support/FakeSamModel';
import { catchNode, collect, distModelLoader, distNode, helper, nextMessage, waitFor } from './support/redHelper';

const nodes = [distNode('sam-model'), distNode('sam-track'), catchNode];
const flow = [
  { id: 'm', type: 'sam-model', cacheSize: 2 },
  { id: 't', type: 'sam-track', model: 'm', promptMode: 'box', boxMargin: '0', policy: 'all', wires: [['o']] },
  { id: 'o', type: 'helper' },
  { id: 'c', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
  { id: 'caught', type: 'helper' },
];

function frame(shade: number): Promise<Buffer> {
  return sharp({ create: { width: 200, height: 100, channels: 3, background: { r: shade, g: shade, b: shade } } })
    .png()
    .toBuffer();
}

describe('sam-track (fake model: a box prompt gives that box as the mask)', () => {
  const loader = distModelLoader();
  const realLoad = loader.load;
  let model: FakeSamModel;
  beforeAll(() => helper.startServer());
  afterAll(() => helper.stopServer());
  beforeEach(() => {
    model = new FakeSamModel();
    loader.load = async () => model;
  });
  afterEach(async () => {
    await helper.unload();
    loader.load = realLoad;
  });

  it('follows an object given by a box on the first frame through later frames', async () => {
    await helper.load(nodes, flow);
    const got = collect(helper.getNode('o'));
    helper.getNode('t').receive({ payload: await frame(10), objects: [{ id: 'cat', box: [20, 10, 80, 50] }] });
    helper.getNode('t').receive({ payload: await frame(20) });
    helper.getNode('t').receive({ payload: await frame(30) });
    await waitFor(() => got.length === 3, 10_000, 'three tracked frames');
    for (const msg of got) {
      const masks = msg.masks as MaskRecord[];
      expect(masks).toHaveLength(1);
      expect(masks[0].meta).toMatchObject({ objectId: 'cat' });
      const m = rleToMask(masks[0].segmentation);
      // the mask stays on the box: bbox within a pixel of [20, 10, 60, 40] (XYWH)
      masks[0].bbox.forEach((v, i) => expect(Math.abs(v - [20, 10, 60, 40][i])).toBeLessThanOrEqual(1.5));
      expect(m.width).toBe(200);
      expect((msg.objects as Array<{ state: string }>)[0].state).toBe('tracked');
    }
    expect(model.encoderRuns).toBe(3);
  });

  it('a frame before any objects → Catch says what to send; bad objects → Catch', async () => {
    await helper.load(nodes, flow);
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('t').receive({ payload: await frame(10) });
    expect(((await caught).error as { message: string }).message).toMatch(/no objects to follow yet.*msg\.objects/);
    const caught2 = nextMessage(helper.getNode('caught'));
    helper.getNode('t').receive({ payload: await frame(10), objects: [{ id: 1 }] });
    expect(((await caught2).error as { message: string }).message).toMatch(/msg\.objects\[0\]: give a box or points/);
  });
});
