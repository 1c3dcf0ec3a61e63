import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { compressRle, maskToRle } from '../../core/masks';
import type { BinaryMask } from '../../core/types';
import { catchNode, distNode, helper, nextMessage } from './support/redHelper';

const nodes = [distNode('sam-render'), catchNode];

function rectMask(w: number, h: number, x0: number, y0: number, x1: number, y1: number): BinaryMask {
  const data = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * w + x] = 1;
  return { width: w, height: h, data };
}

const flow = [
  { id: 'r', type: 'sam-render', alpha: 0.5, outline: false, showPrompts: false, format: 'png', wires: [['out']] },
  { id: 'out', type: 'helper' },
  { id: 'c', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
  { id: 'caught', type: 'helper' },
];

describe('sam-render', () => {
  beforeAll(() => helper.startServer());
  afterAll(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('tints the pixels inside the mask and leaves the others as they were', async () => {
    await helper.load(nodes, flow);
    const gray = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 100, g: 100, b: 100 } } })
      .png()
      .toBuffer();
    const record = { segmentation: compressRle(maskToRle(rectMask(40, 30, 10, 5, 20, 15))), area: 100, bbox: [10, 5, 10, 10] };
    const out = nextMessage(helper.getNode('out'));
    helper.getNode('r').receive({ payload: gray, masks: [record] });
    const msg = await out;
    expect(Buffer.isBuffer(msg.payload)).toBe(true);
    const { data, info } = await sharp(msg.payload as Buffer)
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([40, 30]);
    const px = (x: number, y: number): number[] => Array.from(data.subarray((y * 40 + x) * info.channels, (y * 40 + x) * info.channels + 3));
    expect(px(0, 0)).toEqual([100, 100, 100]);
    expect(px(39, 29)).toEqual([100, 100, 100]);
    expect(px(15, 10)).not.toEqual([100, 100, 100]);
    expect(px(10, 5)).toEqual(px(19, 14));
    expect(msg.masks).toEqual([record]);
  });

  it('When no masks: the caption band is drawn over an empty result only', async () => {
    await helper.load(nodes, [{ ...flow[0], emptyCaption: 'no cat found' }, ...flow.slice(1)]);
    const light = await sharp({ create: { width: 200, height: 150, channels: 3, background: { r: 220, g: 220, b: 220 } } })
      .png()
      .toBuffer();
    const darkShare = async (png: Buffer): Promise<number> => {
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      let dark = 0;
      for (let y = 1; y < 17; y++) for (let x = 0; x < 200; x++) if (data[(y * 200 + x) * info.channels] < 100) dark++;
      return dark / (16 * 200);
    };
    let out = nextMessage(helper.getNode('out'));
    helper.getNode('r').receive({ payload: light, masks: [] });
    expect(await darkShare((await out).payload as Buffer)).toBeGreaterThan(0.6);
    const record = { segmentation: compressRle(maskToRle(rectMask(200, 150, 50, 60, 120, 140))), area: 5600, bbox: [50, 60, 70, 80] };
    out = nextMessage(helper.getNode('out'));
    helper.getNode('r').receive({ payload: light, masks: [record] });
    expect(await darkShare((await out).payload as Buffer)).toBe(0);
  });

  it('bad input → Catch: no msg.masks, a mask of another size, no image', async () => {
    await helper.load(nodes, flow);
    const gray = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .png()
      .toBuffer();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ payload: gray }, /msg\.masks: expected the array/],
      [{ payload: gray, masks: [{ segmentation: compressRle(maskToRle(rectMask(8, 8, 0, 0, 2, 2))) }] }, /./],
      [{ payload: gray, masks: [{ bbox: [1, 2, 3, 4] }] }, /msg\.masks\[0\]: expected a record with segmentation/],
      [{ payload: {}, masks: [] }, /msg\.payload: expected an image/],
    ];
    for (const [input, message] of cases) {
      const caught = nextMessage(helper.getNode('caught'));
      helper.getNode('r').receive(input);
      expect(((await caught).error as { message: string }).message).toMatch(message);
    }
  });

  describe('editor preview (RED.comms, as node-red-contrib-image-output)', () => {
    /** Node-RED's runtime event bus: RED.comms.publish emits 'comms' there, the editor websocket relays it. */
    const events = (helper as unknown as { _events: { on(e: 'comms', fn: (m: CommsMessage) => void): void; off(e: 'comms', fn: (m: CommsMessage) => void): void } })._events;
    interface CommsMessage {
      topic: string;
      data: { data: string | null; width: number };
      retain: boolean;
    }
    const grayPng = (v: number): Promise<Buffer> =>
      sharp({ create: { width: 40, height: 30, channels: 3, background: { r: v, g: v, b: v } } })
        .png()
        .toBuffer();
    const previewFlow = (extra: Record<string, unknown>): unknown[] => [{ ...flow[0], ...extra }, flow[1]];

    it('publishes the latest overlay, scaled to the preview width, as a JPEG data URL; clears it on close', async () => {
      const seen: CommsMessage[] = [];
      const listen = (m: CommsMessage): void => {
        if (m.topic === 'samflow/sam-render/preview/r') seen.push(m);
      };
      events.on('comms', listen);
      try {
        await helper.load(nodes, previewFlow({ preview: true, previewWidth: 20 }));
        const shades = [30, 130, 230];
        const out = helper.getNode('out');
        const received: unknown[] = [];
        out.on('input', (m) => received.push(m));
        for (const v of shades) helper.getNode('r').receive({ payload: await grayPng(v), masks: [] });
        // the flow is never held up by the preview: every message comes out
        await expect.poll(() => received.length, { timeout: 10_000 }).toBe(shades.length);
        // the latest image wins: the last preview published is of the last image
        const shadeOf = async (m: CommsMessage): Promise<number> => {
          const jpg = Buffer.from(m.data.data!.replace(/^data:image\/jpeg;base64,/, ''), 'base64');
          const { data, info } = await sharp(jpg).raw().toBuffer({ resolveWithObject: true });
          expect([info.width, info.height]).toEqual([20, 15]);
          return data[0];
        };
        await expect.poll(async () => (seen.length > 0 ? Math.abs((await shadeOf(seen[seen.length - 1])) - 230) : 999), { timeout: 10_000 }).toBeLessThanOrEqual(3);
        expect(seen.length).toBeLessThanOrEqual(shades.length);
        expect(seen.every((m) => m.retain === false && m.data.width === 20 && m.data.data!.startsWith('data:image/jpeg;base64,'))).toBe(true);
        await helper.unload();
        expect(seen[seen.length - 1].data.data).toBeNull();
      } finally {
        events.off('comms', listen);
      }
    });

    it('is off by default: nothing is published', async () => {
      const seen: CommsMessage[] = [];
      const listen = (m: CommsMessage): void => {
        if (m.topic.startsWith('samflow/sam-render/preview/') && m.data.data !== null) seen.push(m);
      };
      events.on('comms', listen);
      try {
        await helper.load(nodes, flow);
        const out = nextMessage(helper.getNode('out'));
        helper.getNode('r').receive({ payload: await grayPng(100), masks: [] });
        await out;
        await helper.unload();
        expect(seen).toEqual([]);
      } finally {
        events.off('comms', listen);
      }
    });
  });
});
