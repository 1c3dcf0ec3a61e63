/**
 * The annotation page in a real browser (Debian chromium via playwright-core) with the real default
 * model, on synthetic shape images: click → mask → accept → export, box and negative-click paths,
 * reload keeps accepted work, an unreadable image shows a clear error in the page.
 * Skips (with a message) when chromium is absent, unless CI is set.
 */
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { automaticMaskProposals } from '../../core/annotate/defaultProposalProviders';
import { startAnnotationServer, type AnnotationServer } from '../../core/annotate/startAnnotationServer';
import type { CocoInstances } from '../../core/annotate/stateToCoco';
import { loadSamModel } from '../../core/model';
import type { SamModel } from '../../core/model/SamModel';
import { rleToMask } from '../../core/masks';
import type { CompressedRle } from '../../core/types';
import { iou, shapeMask, type Shape } from '../support/syntheticScene';
import { CHROMIUM_ARGS, SCENES, SCENE_HEIGHT, SCENE_WIDTH, chromiumPath, makeSceneFolder } from './annotateFixtures';

const skip = !chromiumPath && !process.env.CI;
if (skip) console.warn('annotate browser tests skipped: /usr/bin/chromium not found (apt-get install -y chromium)');

interface PageApp {
  file: string | null;
  inflight: unknown;
  steps: { mask: { area: number } | null }[];
  objects: { id: number; label: string }[];
  proposals: { handle: string; rle: CompressedRle }[];
}
declare global {
  interface Window {
    samflowAnnotate: PageApp;
  }
}

describe.skipIf(skip)('annotation page in chromium (real model)', () => {
  let folder: string;
  let model: SamModel;
  let server: AnnotationServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    folder = await makeSceneFolder();
    model = await loadSamModel();
    server = await startAnnotationServer({ folder, model, labels: ['circle', 'rect'], proposals: { 'automatic masks': automaticMaskProposals({ pointsPerSide: 6 }) } });
    browser = await chromium.launch({ executablePath: chromiumPath ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    if (process.env.SAMFLOW_DEBUG) page.on('console', (m) => console.log('page:', m.text()));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await model?.release();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  async function waitOpen(file: string): Promise<void> {
    await page.waitForFunction((f) => window.samflowAnnotate?.file === f, file, { timeout: 60_000 });
  }
  async function waitMask(): Promise<number> {
    await page.waitForFunction(() => {
      const a = window.samflowAnnotate;
      const s = a.steps[a.steps.length - 1];
      return !!s && !!s.mask && !a.inflight;
    });
    return Number(await page.locator('#overlay').getAttribute('data-mask-area'));
  }
  /** Page coordinates of an image pixel. */
  async function at(x: number, y: number): Promise<{ x: number; y: number }> {
    const b = (await page.locator('#overlay').boundingBox())!;
    return { x: b.x + (x / SCENE_WIDTH) * b.width, y: b.y + (y / SCENE_HEIGHT) * b.height };
  }
  async function click(x: number, y: number, opts: { right?: boolean; shift?: boolean } = {}): Promise<void> {
    const p = await at(x, y);
    if (opts.shift) await page.keyboard.down('Shift');
    await page.mouse.click(p.x, p.y, { button: opts.right ? 'right' : 'left' });
    if (opts.shift) await page.keyboard.up('Shift');
  }
  async function accept(label: string, count: number): Promise<void> {
    await page.locator('#label').fill(label);
    await page.locator('#accept').click();
    await page.waitForFunction((n) => window.samflowAnnotate.objects.length === n, count);
  }
  async function exported(): Promise<CocoInstances> {
    const res = await fetch(new URL('api/export', server.url));
    expect(res.status).toBe(200);
    return (await res.json()) as CocoInstances;
  }
  function iouWith(coco: CocoInstances, file: string, label: string, shape: Shape): number {
    const image = coco.images.find((i) => i.file_name === file)!;
    const cat = coco.categories.find((c) => c.name === label)!;
    const ann = coco.annotations.find((a) => a.image_id === image.id && a.category_id === cat.id)!;
    expect(ann, `annotation "${label}" in ${file}`).toBeDefined();
    return iou(rleToMask(ann.segmentation), shapeMask(SCENE_WIDTH, SCENE_HEIGHT, shape));
  }

  it('click inside a shape → mask → accept → the COCO export holds it (IoU ≥ 0.9)', async () => {
    await page.goto(server.url);
    await waitOpen('01-shapes.png');
    await expect.poll(() => page.locator('#progress').textContent()).toBe('0 / 3 done');
    const circle = SCENES['01-shapes.png'][0];
    await click(140, 190);
    const area = await waitMask();
    expect(area).toBeGreaterThan(0);
    if (process.env.SAMFLOW_SCREENSHOT) await page.screenshot({ path: path.join(process.env.SAMFLOW_SCREENSHOT, 'annotate-click.png') });
    await accept('circle', 1);
    const coco = await exported();
    expect(coco.images.map((i) => i.file_name)).toEqual(['01-shapes.png']);
    expect(coco.annotations).toHaveLength(1);
    expect(coco.annotations[0]).toMatchObject({ iscrowd: 0, image_id: 1 });
    expect(iouWith(coco, '01-shapes.png', 'circle', circle)).toBeGreaterThanOrEqual(0.9);
  });

  it('drag a box → mask of the boxed shape → accept (IoU ≥ 0.9)', async () => {
    const rect = SCENES['01-shapes.png'][1];
    const a = await at(268, 58);
    const b = await at(432, 282);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
    await page.mouse.move(b.x, b.y, { steps: 4 });
    await page.mouse.up();
    await waitMask();
    if (process.env.SAMFLOW_SCREENSHOT) await page.screenshot({ path: path.join(process.env.SAMFLOW_SCREENSHOT, 'annotate-box.png') });
    await accept('rect', 2);
    const coco = await exported();
    expect(coco.annotations).toHaveLength(2);
    expect(iouWith(coco, '01-shapes.png', 'rect', rect)).toBeGreaterThanOrEqual(0.9);
    expect(pageErrors).toEqual([]);
  });

  it('reload keeps accepted work (state saved on the server after every change)', async () => {
    const state = JSON.parse(readFileSync(path.join(folder, '.samflow-annotations.json'), 'utf8')) as { images: Record<string, { objects: unknown[] }> };
    expect(state.images['01-shapes.png'].objects).toHaveLength(2);
    await page.reload();
    await waitOpen('01-shapes.png');
    await expect.poll(() => page.locator('#objects li').count()).toBe(2);
    expect(await page.locator('#objects li input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual(['circle', 'rect']);
  });

  it('negative click removes a region from the mask; undo and shortcuts work', async () => {
    await page.keyboard.press('n');
    await waitOpen('02-pair.png');
    const [rect, circle] = SCENES['02-pair.png'];
    // a box around both shapes gives a mask covering (parts of) both ...
    const a = await at(50, 80);
    const b = await at(430, 270);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps: 6 });
    await page.mouse.up();
    await waitMask();
    // ... a positive click in the rectangle and negative clicks (right, shift) in the circle keep the rectangle
    await click(135, 175);
    await waitMask();
    await click(340, 180, { right: true });
    await waitMask();
    await click(300, 150, { shift: true });
    await waitMask();
    const negatives = await page.evaluate(() =>
      (window.samflowAnnotate.steps[window.samflowAnnotate.steps.length - 1] as unknown as { points: { label: number }[] }).points.map((p) => p.label),
    );
    expect(negatives).toEqual([1, 0, 0]);
    await accept('rect', 1);
    const coco = await exported();
    expect(iouWith(coco, '02-pair.png', 'rect', rect)).toBeGreaterThanOrEqual(0.9);
    // the accepted rectangle holds almost nothing of the circle
    const ann = coco.annotations.find((x) => x.image_id === coco.images.find((i) => i.file_name === '02-pair.png')!.id)!;
    const m = rleToMask(ann.segmentation);
    const c = shapeMask(SCENE_WIDTH, SCENE_HEIGHT, circle);
    let overlap = 0;
    for (let i = 0; i < m.data.length; i++) if (m.data[i] && c.data[i]) overlap++;
    expect(overlap).toBeLessThan(0.02 * c.data.reduce((s, v) => s + v, 0));
    // undo: click, then Z removes the step
    await click(340, 180);
    await waitMask();
    await page.keyboard.press('z');
    expect(await page.evaluate(() => window.samflowAnnotate.steps.length)).toBe(0);
    // D marks the image done → progress
    await page.keyboard.press('d');
    await expect.poll(() => page.locator('#progress').textContent()).toBe('1 / 3 done');
  });

  it('stage 2: automatic-mask proposals appear in the page; one is accepted with a label (IoU ≥ 0.9)', async () => {
    expect(await page.evaluate(() => window.samflowAnnotate.file)).toBe('02-pair.png');
    const circle = SCENES['02-pair.png'][1];
    await page.locator('#proposalKind').selectOption('automatic masks');
    await page.locator('#propose').click();
    await page.waitForFunction(() => window.samflowAnnotate.proposals.length > 0, null, { timeout: 120_000 });
    if (process.env.SAMFLOW_SCREENSHOT) await page.screenshot({ path: path.join(process.env.SAMFLOW_SCREENSHOT, 'annotate-proposals.png') });
    const proposals = await page.evaluate(() => window.samflowAnnotate.proposals.map((p) => ({ handle: p.handle, rle: p.rle })));
    const truth = shapeMask(SCENE_WIDTH, SCENE_HEIGHT, circle);
    const best = proposals.map((p) => ({ handle: p.handle, iou: iou(rleToMask(p.rle), truth) })).sort((a, b) => b.iou - a.iou)[0];
    expect(best.iou).toBeGreaterThanOrEqual(0.9);
    await page.locator('#label').fill('circle');
    await page.locator(`#proposals li[data-handle="${best.handle}"] button[title="Accept"]`).click();
    await page.waitForFunction(() => window.samflowAnnotate.objects.length === 2);
    expect(await page.evaluate(() => window.samflowAnnotate.proposals.length)).toBe(proposals.length - 1);
    const coco = await exported();
    expect(iouWith(coco, '02-pair.png', 'circle', circle)).toBeGreaterThanOrEqual(0.9);
    // correct another proposal with a click: its logits go back to the decoder as the previous mask
    const other = await page.evaluate(() => window.samflowAnnotate.proposals[0].handle);
    await page.locator(`#proposals li[data-handle="${other}"] button[title="Correct with clicks"]`).click();
    const request = page.waitForRequest((r) => r.url().endsWith('/api/predict'));
    await click(300, 300, { right: true });
    const sent = JSON.parse((await request).postData() ?? '{}') as { prev: string; points: { label: number }[] };
    expect(sent.prev).toBe(other);
    // the proposal's own grid point, then the new negative click
    expect(sent.points.map((q) => q.label)).toEqual([1, 0]);
    await waitMask();
    await page.keyboard.press('Escape');
  });

  it('a lone click offers SAM’s 3 masks: M and the button cycle them; Accept takes the one shown', async () => {
    expect(await page.evaluate(() => window.samflowAnnotate.file)).toBe('02-pair.png');
    await click(340, 180);
    await waitMask();
    const choice = (): Promise<string | null> => page.locator('#overlay').getAttribute('data-mask-choice');
    expect(await choice()).toBe('1/3');
    const masks = await page.evaluate(
      () =>
        (window.samflowAnnotate.steps[window.samflowAnnotate.steps.length - 1] as unknown as { masks: { handle: string; score: number; rle: CompressedRle; maskIndex: number }[] })
          .masks,
    );
    expect(masks).toHaveLength(3);
    expect(masks.map((m) => m.maskIndex).sort()).toEqual([1, 2, 3]);
    expect([...masks.map((m) => m.score)].sort((x, y) => y - x)).toEqual(masks.map((m) => m.score));
    expect(await page.locator('#nextMask').textContent()).toBe('Mask 1/3');
    await page.keyboard.press('m');
    expect(await choice()).toBe('2/3');
    expect(await page.locator('#current').textContent()).toContain('Mask 2 of 3');
    await page.locator('#nextMask').click();
    expect(await choice()).toBe('3/3');
    await page.keyboard.press('m');
    expect(await choice()).toBe('1/3');
    await page.keyboard.press('m');
    expect(Number(await page.locator('#overlay').getAttribute('data-mask-area'))).toBe(rleToMask(masks[1].rle).data.reduce((t, v) => t + v, 0));
    const request = page.waitForRequest((r) => r.url().endsWith('/api/accept'));
    await accept('second candidate', 3);
    expect((JSON.parse((await request).postData() ?? '{}') as { handle: string }).handle).toBe(masks[1].handle);
    const coco = await exported();
    const image = coco.images.find((i) => i.file_name === '02-pair.png')!;
    const cat = coco.categories.find((c) => c.name === 'second candidate')!;
    const ann = coco.annotations.find((x) => x.image_id === image.id && x.category_id === cat.id)!;
    expect(iou(rleToMask(ann.segmentation), rleToMask(masks[1].rle))).toBe(1);
    // a click with a box is one mask: nothing to cycle
    const a0 = await at(290, 120);
    const b0 = await at(400, 240);
    await page.mouse.move(a0.x, a0.y);
    await page.mouse.down();
    await page.mouse.move(b0.x, b0.y, { steps: 4 });
    await page.mouse.up();
    await waitMask();
    expect(await choice()).toBe('1/1');
    expect(await page.locator('#nextMask').isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
    expect(pageErrors).toEqual([]);
  });

  it('in-browser decoder (onnxruntime-web): click → mask decoded in the page → accept → export (IoU ≥ 0.9)', async () => {
    await page.goto(new URL('#file=01-shapes.png', server.url).href);
    await page.reload();
    await waitOpen('01-shapes.png');
    await page.locator('#decoderMode').selectOption('browser');
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 60_000 }).toMatch(/decoded in this browser/);
    await click(140, 190);
    await waitMask();
    expect(await page.evaluate(() => (window.samflowAnnotate.steps[0].mask as unknown as { bits?: unknown }).bits !== undefined)).toBe(true);
    // the page's decoder is the server model's 4-mask rewrite: a lone click offers SAM's 3 masks,
    // the same ones (mask token, pixels) the server decodes for the same click
    const inPage = await page.evaluate(() => {
      const step = window.samflowAnnotate.steps[0] as unknown as {
        points: { x: number; y: number; label: number }[];
        masks: { maskIndex: number; score: number; bits: Uint8Array }[];
      };
      return { points: step.points, masks: step.masks.map((m) => ({ maskIndex: m.maskIndex, score: m.score, bits: Array.from(m.bits).join('') })) };
    });
    expect(inPage.masks).toHaveLength(3);
    expect(await page.locator('#overlay').getAttribute('data-mask-choice')).toBe('1/3');
    const res = await fetch(new URL('api/predict', server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ file: '01-shapes.png', points: inPage.points }),
    });
    const best = (await res.json()) as { maskIndex: number; score: number; rle: CompressedRle; alternatives: { maskIndex: number; score: number; rle: CompressedRle }[] };
    const onServer = [best, ...best.alternatives];
    expect(inPage.masks.map((m) => m.maskIndex)).toEqual(onServer.map((m) => m.maskIndex));
    for (const [i, m] of inPage.masks.entries()) {
      expect(m.score).toBeCloseTo(onServer[i].score, 3);
      const bits = Uint8Array.from(m.bits, (c) => (c === '1' ? 1 : 0));
      expect(iou({ width: SCENE_WIDTH, height: SCENE_HEIGHT, data: bits }, rleToMask(onServer[i].rle))).toBeGreaterThanOrEqual(0.99);
    }
    await accept('circle in browser', 3);
    const coco = await exported();
    expect(iouWith(coco, '01-shapes.png', 'circle in browser', SCENES['01-shapes.png'][0])).toBeGreaterThanOrEqual(0.9);
    // back to the server path for the next test
    await page.locator('#decoderMode').selectOption('server');
    expect(pageErrors).toEqual([]);
  });

  it('an unreadable image shows a clear error in the page', async () => {
    await page.goto(new URL('#file=03-broken.png', server.url).href);
    await page.reload();
    await expect.poll(() => page.locator('#stageMessage').textContent(), { timeout: 30_000 }).toMatch(/Cannot open 03-broken\.png: .+not a readable image/);
    expect(await page.locator('#stageMessage').textContent()).not.toContain(folder);
    expect(await page.locator('#status').getAttribute('data-state')).toBe('error');
    if (process.env.SAMFLOW_SCREENSHOT) await page.screenshot({ path: path.join(process.env.SAMFLOW_SCREENSHOT, 'annotate-broken.png') });
    expect(pageErrors).toEqual([]);
  });
});
