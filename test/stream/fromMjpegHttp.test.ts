import { afterEach, describe, expect, it } from 'vitest';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { lastValueFrom, take, toArray } from 'rxjs';
import sharp from 'sharp';
import { fromMjpegHttp, MultipartSplitter } from '../../core/stream/fromMjpegHttp';
import type { SkippedItem } from '../../core/stream/SkippedItem';

const jpeg = (w: number, h: number, r: number) =>
  sharp({ create: { width: w, height: h, channels: 3, background: { r, g: 0, b: 0 } } })
    .jpeg({ quality: 95 })
    .toBuffer();

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
});

/** Serves `handler` (async: a failure destroys the response) on a free loopback port. */
async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>): Promise<string> {
  server = http.createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((e: unknown) => res.destroy(e instanceof Error ? e : new Error(String(e))));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`;
}

describe('MultipartSplitter', () => {
  it('splits parts with and without Content-Length, across arbitrary chunk borders', () => {
    const parts: string[] = [];
    const s = new MultipartSplitter('frame', (b) => parts.push(b.toString()));
    const body = '--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 5\r\n\r\nhello\r\n--frame\r\nContent-Type: image/jpeg\r\n\r\nworld!\r\n--frame\r\n\r\nx';
    for (let i = 0; i < body.length; i += 3) s.push(Buffer.from(body.slice(i, i + 3)));
    expect(parts).toEqual(['hello', 'world!']);
  });
});

describe('fromMjpegHttp', () => {
  it('emits decoded frames from a multipart/x-mixed-replace response and completes when it ends', async () => {
    const jpgs = [await jpeg(8, 6, 250), await jpeg(8, 6, 10), await jpeg(4, 4, 128)];
    const url = await serve(async (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=myboundary' });
      for (const [i, j] of jpgs.entries()) {
        const len = i === 1 ? '' : `Content-Length: ${j.length}\r\n`;
        res.write(`--myboundary\r\nContent-Type: image/jpeg\r\n${len}\r\n`);
        res.write(j);
        res.write('\r\n');
        await new Promise((r) => setTimeout(r, 30)); // let each part be decoded before the next (no 'latest' drop)
      }
      res.end();
    });
    const frames = await lastValueFrom(fromMjpegHttp(url).pipe(toArray()));
    expect(frames.map((f) => [f.width, f.height])).toEqual([
      [8, 6],
      [8, 6],
      [4, 4],
    ]);
    expect(frames[0].rgb[0]).toBeGreaterThan(240);
    expect(frames[1].rgb[0]).toBeLessThan(20);
    expect(frames[2].id).toBe(`${url}#2`);
  });

  it('skips and reports a corrupt part by default', async () => {
    const good = await jpeg(4, 4, 200);
    const url = await serve(async (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace;boundary=b' });
      res.write(`--b\r\nContent-Length: 7\r\n\r\ngarbage\r\n`);
      await new Promise((r) => setTimeout(r, 30));
      res.write(`--b\r\nContent-Length: ${good.length}\r\n\r\n`);
      res.write(good);
      res.end('\r\n');
    });
    const skipped: SkippedItem[] = [];
    const frames = await lastValueFrom(fromMjpegHttp(url, { errors: (s) => skipped.push(s) }).pipe(toArray()));
    expect(frames).toHaveLength(1);
    expect(skipped[0].message).toContain(`${url}#0`);
  });

  it('errors clearly on a non-MJPEG response', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>login</html>');
    });
    await expect(lastValueFrom(fromMjpegHttp(url))).rejects.toThrow(/not an MJPEG stream/);
  });

  it('unsubscribing closes the connection on the server side', async () => {
    const j = await jpeg(4, 4, 50);
    let closedOnServer = false;
    const url = await serve((req, res) => {
      res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=f' });
      const t = setInterval(() => {
        res.write(`--f\r\nContent-Length: ${j.length}\r\n\r\n`);
        res.write(j);
        res.write('\r\n');
      }, 20);
      req.socket.on('close', () => {
        closedOnServer = true;
        clearInterval(t);
      });
    });
    const two = await lastValueFrom(fromMjpegHttp(url).pipe(take(2), toArray()));
    expect(two).toHaveLength(2);
    const t0 = Date.now();
    while (!closedOnServer && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 10));
    expect(closedOnServer).toBe(true);
  });

  it('a camera that stalls mid-part (socket open) errors after readTimeoutMs, naming the url', async () => {
    const j = await jpeg(4, 4, 90);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=f' });
      res.write(`--f\r\nContent-Length: ${j.length}\r\n\r\n`);
      res.write(j.subarray(0, 10)); // ... and nothing more, socket left open
    });
    const err = await lastValueFrom(fromMjpegHttp(url, { readTimeoutMs: 200 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SOURCE_FAILED', source: url });
    expect(String((err as Error).message)).toMatch(/sent nothing for 200 ms/);
  });

  it('with reconnect, a stalled connection is dropped and the stream goes on from a new one', async () => {
    const j = await jpeg(6, 2, 200);
    let connections = 0;
    const url = await serve((_req, res) => {
      connections++;
      res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=f' });
      res.write(`--f\r\nContent-Length: ${j.length}\r\n\r\n`);
      if (connections === 1) {
        res.write(j.subarray(0, 10)); // stall
        return;
      }
      res.write(j);
      res.end('\r\n');
    });
    const frames = await lastValueFrom(fromMjpegHttp(url, { readTimeoutMs: 200, reconnect: { retries: 1, delayMs: 10 } }).pipe(toArray()));
    expect(connections).toBe(2);
    expect(frames.map((f) => [f.width, f.height])).toEqual([[6, 2]]);
  });

  it('refuses a bad readTimeoutMs', () => {
    expect(() => fromMjpegHttp('http://127.0.0.1:1/x', { readTimeoutMs: -1 })).toThrow(/readTimeoutMs/);
  });
});
