/**
 * The annotation server's HTTP routes with a fake model (no ONNX): static page, image list, path
 * safety over HTTP, request limits, click → mask → accept → COCO export, logits fed back, autosave
 * and reload, reorder/relabel/delete, unreadable and oversized images, middleware mounting.
 * The fake decoder draws a disc of radius 160 model px (75 px in these 480×360 images) around the
 * first click, so expected masks are known by hand.
 */
import { readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnnotationSession } from '../../core/annotate/AnnotationSession';
import type { AcceptedObjectEvent } from '../../core/annotate/AnnotationSessionOptions';
import { createAnnotationHandler } from '../../core/annotate/createAnnotationHandler';
import { startAnnotationServer, type AnnotationServer } from '../../core/annotate/startAnnotationServer';
import type { CocoInstances } from '../../core/annotate/stateToCoco';
import { rleArea, rleToMask } from '../../core/masks';
import { decodeMasks } from '../../core/model';
import type { Proposal, ProposalProvider } from '../../core/annotate/Proposal';
import type { CompressedRle } from '../../core/types';
import { FakeSamModel } from '../operators/FakeSamModel';
import { iou, shapeMask } from '../support/syntheticScene';
import { makeSceneFolder } from './annotateFixtures';

let folder: string;
let model: FakeSamModel;
let server: AnnotationServer;
const events: AcceptedObjectEvent[] = [];
/** What the test's proposal source returned last. */
const boxes: Proposal[] = [];

/** The fields the routes answer with (each reply holds some of them). */
interface ApiJson {
  error: { code: string; message: string };
  handle: string;
  rle: CompressedRle;
  area: number;
  objects: { id: number; label: string }[];
  file: string;
  done: number;
  total: number;
}
async function post(url: string, body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }): Promise<{ status: number; json: ApiJson }> {
  const res = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as ApiJson };
}
const api = (p: string): string => new URL(p, server.url).toString();

beforeAll(async () => {
  folder = await makeSceneFolder('samflow-annotate-http-');
  model = new FakeSamModel('auto');
  // a proposal source with a known answer: one box prompt around each shape of 01-shapes.png
  const shapesProvider: ProposalProvider = async (embedded, m) => {
    boxes.length = 0;
    for (const [box, label] of [
      [[65, 115, 215, 265], 'circle'],
      [[280, 70, 420, 270], 'rect'],
    ] as const) {
      const [candidate] = await decodeMasks(m, embedded, { box });
      boxes.push({ candidate: candidate, label, score: 0.5 });
    }
    return boxes;
  };
  server = await startAnnotationServer({ folder, model, labels: ['circle', 'rect'], onAccept: (e) => events.push(e), maxBodyBytes: 4096, proposals: { shapes: shapesProvider } });
});
afterAll(async () => {
  await server?.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('annotation server (fake model)', () => {
  it('binds 127.0.0.1 by default and serves the page and its script', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(server.url);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="app.js">');
    const js = await fetch(api('app.js'));
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(api('api/nothing'))).status).toBe(404);
  });

  it('lists the folder with progress and serves images as JPEG of the decoded frame', async () => {
    const list = (await (await fetch(api('api/images'))).json()) as { files: { file: string }[]; done: number; total: number; labels: string[] };
    expect(list.files.map((f) => f.file)).toEqual(['01-shapes.png', '02-pair.png', '03-broken.png']);
    expect([list.done, list.total]).toEqual([0, 3]);
    expect(list.labels).toEqual(['circle', 'rect']);
    const img = await fetch(api('api/image?file=01-shapes.png'));
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 480, 360]);
  });

  it('refuses paths outside the folder over HTTP (403/404 with a JSON message)', async () => {
    for (const f of ['../etc/passwd.png', '/etc/hosts.png', '..%2F..%2Fx.png']) {
      const res = await fetch(api(`api/image?file=${encodeURIComponent(f)}`));
      expect([403, 404]).toContain(res.status);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/file/);
    }
    const open = await post(api('api/open'), { file: '../01-shapes.png' });
    expect(open.status).toBe(404);
  });

  it('enforces request limits: JSON content type (415), body size (413), valid JSON (400)', async () => {
    expect((await post(api('api/open'), { file: '01-shapes.png' }, { 'Content-Type': 'text/plain' })).status).toBe(415);
    const big = await post(api('api/predict'), { file: '01-shapes.png', pad: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    expect(big.json.error.message).toMatch(/4096 bytes/);
    expect((await post(api('api/open'), '{not json')).status).toBe(400);
    expect((await post(api('api/open'), '[1,2]')).status).toBe(400);
  });

  it('click → mask → accept → COCO export, with the accept event and the autosaved state', async () => {
    const opened = await post(api('api/open'), { file: '01-shapes.png' });
    expect(opened.status).toBe(200);
    expect(opened.json).toMatchObject({ file: '01-shapes.png', width: 480, height: 360, objects: [] });
    const m = await post(api('api/predict'), { file: '01-shapes.png', points: [{ x: 140, y: 190, label: 1 }] });
    expect(m.status).toBe(200);
    expect(rleArea(m.json.rle)).toBe(m.json.area);
    const circle = shapeMask(480, 360, { kind: 'circle', cx: 140, cy: 190, r: 75, color: '' });
    expect(iou(rleToMask(m.json.rle), circle)).toBeGreaterThan(0.95);

    const acc = await post(api('api/accept'), { file: '01-shapes.png', handle: m.json.handle, label: 'circle' });
    expect(acc.status).toBe(200);
    expect(acc.json.objects).toHaveLength(1);
    // the handle is consumed by accepting
    expect((await post(api('api/accept'), { file: '01-shapes.png', handle: m.json.handle, label: 'circle' })).status).toBe(410);

    const coco = (await (await fetch(api('api/export'))).json()) as CocoInstances;
    // one exportCoco() call: only date_created may differ from the HTTP export (taken earlier)
    const local = server.exportCoco();
    expect(local).toEqual({ ...coco, info: { ...coco.info, date_created: local.info.date_created } });
    expect(Date.parse(coco.info.date_created)).toBeLessThanOrEqual(Date.parse(local.info.date_created));
    expect(coco.images).toEqual([{ id: 1, file_name: '01-shapes.png', width: 480, height: 360 }]);
    expect(coco.categories).toEqual([
      { id: 1, name: 'circle' },
      { id: 2, name: 'rect' },
    ]);
    expect(coco.annotations).toHaveLength(1);
    const a = coco.annotations[0];
    expect(a).toMatchObject({ id: 1, image_id: 1, category_id: 1, iscrowd: 0, area: m.json.area });
    expect(rleArea(a.segmentation)).toBe(a.area);
    expect(iou(rleToMask(a.segmentation), circle)).toBeGreaterThan(0.95);
    // bbox of a disc of radius ~75 around (140,190)
    for (const [got, want] of a.bbox.map((v, i) => [v, [65, 115, 150, 150][i]])) expect(Math.abs(got - want)).toBeLessThanOrEqual(2);

    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ file: '01-shapes.png', label: 'circle', image: { file_name: '01-shapes.png', width: 480, height: 360 } });
    expect(events[0].annotation.segmentation).toEqual(a.segmentation);

    const state = JSON.parse(readFileSync(path.join(folder, '.samflow-annotations.json'), 'utf8')) as { images: Record<string, { objects: unknown[] }> };
    expect(state.images['01-shapes.png'].objects).toHaveLength(1);
  });

  it('feeds the previous low-res logits back as mask_input, and validates prompts', async () => {
    const first = await post(api('api/predict'), { file: '01-shapes.png', points: [{ x: 350, y: 170, label: 1 }] });
    const before = model.decodedFeeds.length;
    const second = await post(api('api/predict'), {
      file: '01-shapes.png',
      points: [
        { x: 350, y: 170, label: 1 },
        { x: 300, y: 300, label: 0 },
      ],
      prev: first.json.handle,
    });
    expect(second.status).toBe(200);
    const feeds = model.decodedFeeds[before];
    expect(feeds.hasMaskInput[0]).toBe(1);
    // the fake's disc: +8 inside, −8 outside — the fed-back mask holds both values
    expect(new Set(feeds.maskInput)).toEqual(new Set([8, -8]));
    const noPrev = await post(api('api/predict'), { file: '01-shapes.png', points: [{ x: 350, y: 170, label: 1 }] });
    expect(model.decodedFeeds[model.decodedFeeds.length - 1].hasMaskInput[0]).toBe(0);
    expect(noPrev.status).toBe(200);

    expect((await post(api('api/predict'), { file: '01-shapes.png', points: [] })).status).toBe(400);
    expect((await post(api('api/predict'), { file: '01-shapes.png', points: [{ x: 'a', y: 1, label: 1 }] })).status).toBe(400);
    expect((await post(api('api/predict'), { file: '01-shapes.png', points: [{ x: 1, y: 1, label: 3 }] })).status).toBe(400);
    expect((await post(api('api/predict'), { file: '01-shapes.png', box: [1, 2, 3] })).status).toBe(400);
    // the shared prompt parser (core/prompts/parsePrompts): its messages name the field, it takes
    // [x, y, label] points as every face does, and a box dragged up-left has its corners sorted
    const tooMany = await post(api('api/predict'), { file: '01-shapes.png', points: Array.from({ length: 65 }, () => [1, 1, 1]) });
    expect([tooMany.status, tooMany.json.error.message]).toEqual([400, expect.stringMatching(/^points: number of points: 65 is over the limit of 64/)]);
    const asArray = await post(api('api/predict'), { file: '01-shapes.png', points: [[140, 190, 1]], box: [215, 265, 65, 115] });
    expect(asArray.status).toBe(200);
    const fed = model.decodedFeeds[model.decodedFeeds.length - 1];
    expect(Array.from(fed.pointLabels)).toEqual([1, 2, 3]);
    expect(fed.pointCoords[2]).toBeLessThan(fed.pointCoords[4]);
    expect((await post(api('api/predict'), { file: '01-shapes.png', points: [{ x: 1, y: 1, label: 1 }], prev: 'm999999' })).status).toBe(410);
    expect((await post(api('api/predict'), { file: '02-pair.png', points: [{ x: 1, y: 1, label: 1 }], prev: second.json.handle })).status).toBe(400);
    expect((await post(api('api/accept'), { file: '01-shapes.png', handle: second.json.handle, label: '  ' })).status).toBe(400);
  });

  it('reorders, relabels and deletes objects; a new session on the same state file sees the result', async () => {
    const m = await post(api('api/predict'), { file: '01-shapes.png', box: [280, 70, 420, 270] });
    const acc = await post(api('api/accept'), { file: '01-shapes.png', handle: m.json.handle, label: 'box' });
    const ids = acc.json.objects.map((o) => o.id);
    expect(ids).toHaveLength(2);
    expect((await post(api('api/reorder'), { file: '01-shapes.png', order: [ids[0]] })).status).toBe(400);
    const re = await post(api('api/reorder'), { file: '01-shapes.png', order: [ids[1], ids[0]] });
    expect(re.json.objects.map((o) => o.id)).toEqual([ids[1], ids[0]]);
    const rl = await post(api('api/relabel'), { file: '01-shapes.png', id: ids[1], label: 'rect' });
    expect(rl.json.objects.map((o) => o.label)).toEqual(['rect', 'circle']);
    const d = await post(api('api/done'), { file: '01-shapes.png', done: true });
    expect(d.json).toEqual({ done: 1, total: 3 });

    const again = await AnnotationSession.open({ folder, model });
    const coco = again.exportCoco();
    expect(coco.annotations.map((a) => coco.categories.find((c) => c.id === a.category_id)!.name)).toEqual(['rect', 'circle']);
    expect(again.summary().done).toBe(1);
    await again.close();

    const del = await post(api('api/delete'), { file: '01-shapes.png', id: ids[0] });
    expect(del.json.objects.map((o) => o.id)).toEqual([ids[1]]);
    expect((await post(api('api/delete'), { file: '01-shapes.png', id: 12345 })).status).toBe(404);
  });

  it('stage 2: proposals are listed, accepted with their label, and corrected with clicks (logits fed back)', async () => {
    const list = (await (await fetch(api('api/images'))).json()) as { proposalKinds: string[] };
    expect(list.proposalKinds).toEqual(['shapes']);
    expect((await post(api('api/propose'), { file: '02-pair.png', kind: 'nope' })).status).toBe(400);
    const r = await post(api('api/propose'), { file: '02-pair.png', kind: 'shapes' });
    expect(r.status).toBe(200);
    const proposals = (r.json as unknown as { proposals: { handle: string; label: string; score: number; box: number[]; rle: CompressedRle }[] }).proposals;
    expect(proposals.map((p) => [p.label, p.score])).toEqual([
      ['circle', 0.5],
      ['rect', 0.5],
    ]);
    expect(proposals[1].box).toEqual([280, 70, 420, 270]);
    // correct the rect proposal: its box plus a click, its logits as mask_input
    const before = model.decodedFeeds.length;
    const fixed = await post(api('api/predict'), { file: '02-pair.png', box: proposals[1].box, points: [{ x: 350, y: 170, label: 1 }], prev: proposals[1].handle });
    expect(fixed.status).toBe(200);
    expect(model.decodedFeeds[before].hasMaskInput[0]).toBe(1);
    expect(Array.from(model.decodedFeeds[before].maskInput)).toEqual(Array.from(boxes[1].candidate.lowResLogits));
    // accept the circle proposal as it is
    const acc = await post(api('api/accept'), { file: '02-pair.png', handle: proposals[0].handle, label: proposals[0].label });
    expect(acc.status).toBe(200);
    expect(acc.json.objects.map((o) => o.label)).toEqual(['circle']);
  });

  it('in-browser decoder files: only the fixed onnxruntime-web files, the decoder and raw embeddings; accept from page logits', async () => {
    // the fake model's id is not in the manifest: the route says why there is no in-browser decoder
    const info = (await (await fetch(api('api/browser-decoder'))).json()) as { available: boolean; reason: string };
    expect(info.available).toBe(false);
    expect(info.reason).toMatch(/fake/);
    expect((await fetch(api('api/decoder.onnx'))).status).toBe(404);
    for (const p of ['ort/../../package.json', 'ort/%2e%2e%2fpackage.json', 'ort/ort.node.min.js', 'ort/']) expect((await fetch(api(p))).status).toBe(404);
    const emb = await fetch(api('api/embedding?file=01-shapes.png'));
    expect(emb.headers.get('x-samflow-dims')).toBe('1,256,64,64');
    expect((await emb.arrayBuffer()).byteLength).toBe(256 * 64 * 64 * 4);
    // logits decoded in the page: a +8/−8 square in the low-res grid → the server makes the mask
    const low = new Float32Array(256 * 256).fill(-8); // float32[256*256]
    for (let y = 40; y < 80; y++) for (let x = 40; x < 80; x++) low[y * 256 + x] = 8;
    const logits = Buffer.from(low.buffer).toString('base64');
    // 350 KB of base64 is over this test server's 4 KB limit; the default 1 MB takes it
    expect((await post(api('api/accept'), { file: '02-pair.png', label: 'square', logits })).status).toBe(413);
    const big = await startAnnotationServer({ folder, model, stateFile: path.join(folder, '.logits.json'), proposals: {} });
    try {
      const u = (p: string): string => new URL(p, big.url).toString();
      const acc = await post(u('api/accept'), { file: '02-pair.png', label: 'square', logits, score: 0.8, points: [{ x: 100, y: 100, label: 1 }] });
      expect(acc.status).toBe(200);
      // low-res 40..80 of 256 → 1024 frame 160..320 → 480-px image (scale 0.46875) 75..150
      const coco = (await (await fetch(u('api/export'))).json()) as CocoInstances;
      const ann = coco.annotations.find((a) => coco.categories.find((c) => c.id === a.category_id)!.name === 'square')!;
      const square = shapeMask(480, 360, { kind: 'rect', x: 75, y: 75, w: 75, h: 75, color: '' });
      expect(iou(rleToMask(ann.segmentation), square)).toBeGreaterThan(0.9);
      expect((await post(u('api/accept'), { file: '02-pair.png', label: 'x', logits: 'AAAA' })).status).toBe(400);
      const nan = new Float32Array(256 * 256).fill(Number.NaN);
      expect((await post(u('api/accept'), { file: '02-pair.png', label: 'x', logits: Buffer.from(nan.buffer).toString('base64') })).status).toBe(400);
    } finally {
      await big.close();
    }
  });

  it('an unreadable image answers 422 with a message that names the file but not the server path', async () => {
    const r = await post(api('api/open'), { file: '03-broken.png' });
    expect(r.status).toBe(422);
    expect(r.json.error.code).toBe('BAD_IMAGE');
    expect(r.json.error.message).toContain('03-broken.png');
    expect(r.json.error.message).not.toContain(folder);
  });

  it('refuses images over the pixel limit with 413', async () => {
    const s = await startAnnotationServer({ folder, model, maxPixels: 10_000, stateFile: path.join(folder, '.small.json') });
    try {
      const r = await post(new URL('api/open', s.url).toString(), { file: '02-pair.png' });
      expect(r.status).toBe(413);
      expect(r.json.error.code).toBe('IMAGE_TOO_LARGE');
    } finally {
      await s.close();
    }
  });

  it('works as middleware under a mount path: redirects to the trailing slash, passes unknown paths to next()', async () => {
    const session = await AnnotationSession.open({ folder, model, stateFile: path.join(folder, '.mw.json') });
    const handler = createAnnotationHandler(session);
    let nextCalls = 0;
    const mount = '/annotate';
    const srv = http.createServer((req, res) => {
      const url = req.url ?? '/';
      if (url === mount || url.startsWith(`${mount}/`) || url.startsWith(`${mount}?`)) {
        const r = Object.assign(req, { originalUrl: url, url: url.slice(mount.length) || '/' });
        handler(r, res, () => {
          nextCalls++;
          res.writeHead(418).end();
        });
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      const redirect = await fetch(`${base}/annotate`, { redirect: 'manual' });
      expect(redirect.status).toBe(301);
      expect(redirect.headers.get('location')).toBe('/annotate/');
      expect((await fetch(`${base}/annotate/`)).status).toBe(200);
      expect((await fetch(`${base}/annotate/api/images`)).status).toBe(200);
      expect((await fetch(`${base}/annotate/elsewhere`)).status).toBe(418);
      expect(nextCalls).toBe(1);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
      await session.close();
    }
  });

  it('answers only to loopback host names when bound to 127.0.0.1 (DNS rebinding)', async () => {
    const port = new URL(server.url).port;
    const status = (host: string): Promise<number> =>
      new Promise((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/api/images', headers: { Host: host } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
    expect(await status(`evil.example:${port}`)).toBe(403);
    expect(await status(`localhost:${port}`)).toBe(200);
    expect(await status(`127.0.0.1:${port}`)).toBe(200);
  });

  it('refuses a folder that does not exist and a bad port, naming them', async () => {
    await expect(startAnnotationServer({ folder: path.join(folder, 'nope'), model })).rejects.toThrow(/folder ".*nope": not found/);
    await expect(startAnnotationServer({ folder, model, port: 70000 })).rejects.toThrow(/port/);
  });
});
