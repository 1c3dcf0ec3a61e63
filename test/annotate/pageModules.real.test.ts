/**
 * The annotation page as ES modules in a real browser (Debian chromium via playwright-core): every
 * module it loads — its own and the core's browser build under core/ — answers 200 with a
 * JavaScript type, no script error happens, and the mask the page draws for a click is exactly the
 * server's answer (the page decodes the RLE with the core's rleToMask). A fake model (no ONNX) keeps
 * the masks known; the real model's page paths are in browser.real.test.ts.
 */
import { rmSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnnotationServer, type AnnotationServer } from '../../core/annotate/startAnnotationServer';
import { rleToMask } from '../../core/masks';
import type { CompressedRle } from '../../core/types';
import { FakeSamModel } from '../operators/FakeSamModel';
import { CHROMIUM_ARGS, SCENE_HEIGHT, SCENE_WIDTH, chromiumPath, makeSceneFolder } from './annotateFixtures';

const skip = !chromiumPath && !process.env.CI;
if (skip) console.warn('annotate page module tests skipped: /usr/bin/chromium not found (apt-get install -y chromium)');

interface PageApp {
  file: string | null;
  inflight: unknown;
  steps: { mask: { handle: string; area: number } | null }[];
  layerCache: Map<string, HTMLCanvasElement>;
}

describe.skipIf(skip)('annotation page ES modules in chromium (fake model)', () => {
  let folder: string;
  let server: AnnotationServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const responses: { url: string; status: number; type: string }[] = [];

  beforeAll(async () => {
    folder = await makeSceneFolder('samflow-annotate-modules-');
    server = await startAnnotationServer({ folder, model: new FakeSamModel('auto'), proposals: {}, browserDecoder: false });
    browser = await chromium.launch({ executablePath: chromiumPath ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('response', (r) => responses.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] ?? '' }));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('loads its own modules and the core browser build: all 200 as JavaScript, no script error', async () => {
    await page.goto(server.url);
    await page.waitForFunction(() => (window as unknown as { samflowAnnotate?: { file: string | null } }).samflowAnnotate?.file === '01-shapes.png', null, {
      timeout: 60_000,
    });
    const scripts = responses.filter((r) => r.url.endsWith('.js'));
    const names = scripts.map((r) => new URL(r.url).pathname);
    // the entry, the page's modules, and the core files the page reuses (transform, prompts, RLE)
    expect(names).toEqual(
      expect.arrayContaining([
        '/app.js',
        '/state.js',
        '/edit.js',
        '/layers.js',
        '/core/masks/rleToMask.js',
        '/core/prompts/encodePrompts.js',
        '/core/geometry/SamTransform.js',
        '/core/errors.js',
      ]),
    );
    for (const r of scripts) {
      expect(r.status, r.url).toBe(200);
      expect(r.type, r.url).toMatch(/javascript/);
    }
    expect(responses.filter((r) => r.status >= 400)).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it("a click draws exactly the server's mask (decoded in the page by the core's rleToMask)", async () => {
    const b = (await page.locator('#overlay').boundingBox())!;
    const predicted = page.waitForResponse((r) => r.url().endsWith('/api/predict'));
    await page.mouse.click(b.x + (140 / SCENE_WIDTH) * b.width, b.y + (190 / SCENE_HEIGHT) * b.height);
    const answer = (await (await predicted).json()) as { handle: string; rle: CompressedRle; area: number };
    await page.waitForFunction(() => {
      const a = (window as unknown as { samflowAnnotate: PageApp }).samflowAnnotate;
      const s = a.steps[a.steps.length - 1];
      return !!s && !!s.mask && !a.inflight;
    });
    // the drawn layer of the current mask, as 0/1 per image pixel (row-major)
    const drawn = await page.evaluate((handle) => {
      const layer = (window as unknown as { samflowAnnotate: PageApp }).samflowAnnotate.layerCache.get(`${handle}|#ffd400`);
      if (!layer) return null;
      const px = layer.getContext('2d')!.getImageData(0, 0, layer.width, layer.height).data;
      let bits = '';
      for (let i = 3; i < px.length; i += 4) bits += px[i] > 0 ? '1' : '0';
      return { width: layer.width, height: layer.height, bits };
    }, answer.handle);
    expect(drawn).not.toBeNull();
    const server = rleToMask(answer.rle);
    expect(answer.area).toBeGreaterThan(1000);
    expect([drawn!.width, drawn!.height]).toEqual([server.width, server.height]);
    expect(drawn!.bits).toBe(Array.from(server.data).join(''));
    expect(await page.locator('#overlay').getAttribute('data-mask-area')).toBe(String(answer.area));
    expect(pageErrors).toEqual([]);
  });
});
