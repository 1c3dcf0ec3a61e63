/**
 * The example flows as a new user gets them: every example (examples/*.json, the workspace
 * `npm start` deploys) in a real Node-RED 4 runtime (red.js in a child process), and each HTTP
 * endpoint sent good, bad and empty inputs. Every request must be answered (a hung one fails after
 * 90 s) with the status a client can act on: 200 + image, 4xx + a message for bad input.
 * POST /samflow/cats with a photo without cats answers the photo with "no cat found" drawn across the
 * top and `X-Samflow-Instances: 0`; with a COCO cat photo the header counts the cats (../shared/data;
 * skipped without it, a failure under CI).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeRedChild } from '../../bench/NodeRedChild';
import { hasSharedData, sharedDataRoot } from '../support/sharedData';

const repoRoot = path.resolve(__dirname, '../..');
const built = fs.existsSync(path.join(repoRoot, 'dist', 'nodes', 'sam-decoder', 'sam-decoder.js'));
const require_ = createRequire(__filename);
const { exampleWorkspace } = require_(path.join(repoRoot, 'scripts', 'start.js')) as { exampleWorkspace: () => Array<Record<string, unknown>> };
/** A photo without cats with a bright top (OpenCV's building), and a COCO photo with one cat. */
const noCatPhoto = path.join(sharedDataRoot, 'photos', 'opencv-doc', 'building.jpg');
const catPhoto = path.join(sharedDataRoot, 'coco-cats', 'images', '000000004795.jpg');
const hasPhotos = hasSharedData('photos/opencv-doc/building.jpg') && hasSharedData('coco-cats/images/000000004795.jpg');

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** A PNG whose header claims `width`×`height` (the pixel data is a stub): refused from the header. */
function pngClaiming(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer): number => {
    let c = 0xffffffff;
    for (const byte of b) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))]);
}

/** Share of the top band's pixels (a tenth of the height) that are dark, and of its pixels that are light. */
async function topBand(image: Buffer): Promise<{ dark: number; light: number }> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const rows = Math.max(18, Math.round(info.height / 10)) - 2;
  let dark = 0;
  let light = 0;
  for (let y = 1; y < rows; y++)
    for (let x = 0; x < info.width; x++) {
      const j = (y * info.width + x) * 3;
      const v = (data[j] + data[j + 1] + data[j + 2]) / 3;
      if (v < 80) dark++;
      if (v > 200) light++;
    }
  const n = (rows - 1) * info.width;
  return { dark: dark / n, light: light / n };
}

describe.skipIf(!built)('the example flows answer every request (real Node-RED runtime, real model and detector)', () => {
  let red: NodeRedChild;

  beforeAll(async () => {
    red = await NodeRedChild.start({ repoRoot, flows: exampleWorkspace(), startTimeoutMs: 90_000 });
  }, 120_000);

  afterAll(async () => {
    await red?.stop();
  });

  async function call(urlPath: string, init: RequestInit = {}): Promise<Answer> {
    const res = await red.request(urlPath, { ...init, signal: AbortSignal.timeout(90_000) });
    return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  }
  const post = (urlPath: string, body: Buffer | string | undefined, type?: string): Promise<Answer> =>
    call(urlPath, { method: 'POST', headers: type ? { 'content-type': type } : {}, body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body) });

  it('the sam-model of every example uses the decoder workers the README recommends for everything (2)', () => {
    for (const file of fs.readdirSync(path.join(repoRoot, 'examples')).filter((f) => f.endsWith('.json'))) {
      const nodes = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', file), 'utf8')) as Array<Record<string, unknown>>;
      for (const m of nodes.filter((n) => n.type === 'sam-model')) expect(m.decoderWorkers, file).toBe(2);
    }
  });

  it('GET /samflow/click: a click answers the overlay PNG; no, bad, huge and repeated coordinates 400 with the reason', async () => {
    const good = await call('/samflow/click?x=90&y=120');
    expect(good.status).toBe(200);
    expect((await sharp(good.body).metadata()).format).toBe('png');
    const bad: Array<[string, RegExp]> = [
      ['', /give the click as \?x=\.\.\.&y=\.\.\./],
      ['x=90', /give the click as/],
      ['y=90', /give the click as/],
      ['x=abc&y=10', /abc|number/i],
      ['x=&y=', /number|finite|click|points/i],
      ['x=5000&y=10', /outside the 320x240 image/],
      ['x=-4&y=10', /outside|negative|image/i],
      ['x=1e999&y=10', /number|finite|range|outside/i],
      [`x=${'9'.repeat(4000)}&y=10`, /number|finite|range|outside/i],
      ['x=1&x=2&y=3', /number|array|click|points/i],
    ];
    for (const [query, message] of bad) {
      const r = await call(`/samflow/click?${query}`);
      const label = `?${query.slice(0, 40)}`;
      expect(r.status, label).toBe(400);
      expect(r.type, label).toMatch(/text\/plain/);
      expect(r.body.toString(), label).toMatch(message);
    }
  }, 300_000);

  it('GET /samflow/everything answers the overlay PNG of every object, also with a stray query', async () => {
    for (const query of ['', '?x=abc&pointsPerSide=100000']) {
      const r = await call(`/samflow/everything${query}`);
      expect(r.status, query).toBe(200);
      expect((await sharp(r.body).metadata()).format, query).toBe('png');
    }
  }, 300_000);

  it('POST /samflow/cats: no body, text, JSON and form bodies 415 (never read as a file path); empty, broken and 400-megapixel images 400', async () => {
    const notImages: Array<[string, Buffer | string | undefined, string | undefined]> = [
      ['no body', undefined, undefined],
      ['a file path as text', '/etc/hostname', 'text/plain'],
      ['JSON', '{"payload": "cat.jpg"}', 'application/json'],
      ['a form', 'file=cat.jpg', 'application/x-www-form-urlencoded'],
    ];
    for (const [name, body, type] of notImages) {
      const r = await post('/samflow/cats', body, type);
      expect(r.status, name).toBe(415);
      expect(r.body.toString(), name).toMatch(/Content-Type/);
    }
    const badImages: Array<[string, Buffer, RegExp]> = [
      ['empty image', Buffer.alloc(0), /empty/],
      ['random bytes', Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 251)), /image|decode|format|unsupported/i],
      [
        'truncated PNG',
        (
          await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } })
            .png()
            .toBuffer()
        ).subarray(0, 40),
        /image|decode|png|truncat|premature/i,
      ],
      ['a 20000x20000 PNG header', pngClaiming(20_000, 20_000), /400000000|over the limit|pixels/i],
    ];
    for (const [name, body, message] of badImages) {
      const r = await post('/samflow/cats', body, 'image/png');
      expect(r.status, name).toBe(400);
      expect(r.body.toString(), name).toMatch(message);
    }
  }, 300_000);

  it.skipIf(!hasPhotos)(
    'POST /samflow/cats: a photo without cats answers the photo with "no cat found" drawn and X-Samflow-Instances: 0; a cat photo counts its cat',
    async () => {
      const none = await post('/samflow/cats', fs.readFileSync(noCatPhoto), 'image/jpeg');
      expect(none.status).toBe(200);
      expect(none.headers.get('x-samflow-instances')).toBe('0');
      const meta = await sharp(none.body).metadata();
      const photo = await sharp(noCatPhoto).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', photo.width, photo.height]);
      const band = await topBand(none.body);
      const original = await topBand(await sharp(noCatPhoto).png().toBuffer());
      // the caption band: mostly dark (70 % black over the photo), with light text in it
      expect(band.dark, `dark share of the top band (the photo's own: ${original.dark.toFixed(2)})`).toBeGreaterThan(original.dark + 0.3);
      expect(band.light, 'light (text) share of the top band').toBeGreaterThan(0.01);

      const cat = await post('/samflow/cats', fs.readFileSync(catPhoto), 'image/jpeg');
      expect(cat.status).toBe(200);
      expect(Number(cat.headers.get('x-samflow-instances'))).toBeGreaterThanOrEqual(1);
      const catOriginal = await topBand(await sharp(catPhoto).png().toBuffer());
      expect((await topBand(cat.body)).dark, 'no caption band over a found cat').toBeLessThan(catOriginal.dark + 0.2);
    },
    300_000,
  );

  it('the runtime is still up and logged no uncaught error', () => {
    expect(red.exitCode).toBeNull();
    expect(red.log).not.toMatch(/Uncaught Exception|UnhandledPromiseRejection/i);
  });
});
