/**
 * Bounded inputs in a live runtime: a real Node-RED 4 (red.js in a child process, userDir with the
 * example workspace from scripts/start.js) plus a JSON prompt endpoint. Checks that the examples
 * answer every request (bad query → 400 with the message), that no input under 1 MB raises the
 * runtime's resident memory by more than 200 MB (6,000 / 60,000 points, 1,001 boxes, 300 prompts,
 * circular-looking and garbage bodies are refused before anything is allocated), and that memory
 * after 500 mixed good and bad requests is within 10 % of memory after 50 (no per-request leak).
 * Resident memory is read from /proc/<pid>/status (Linux; skipped elsewhere).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, stopNodeRed } from '../../bench/NodeRedChild';

const repoRoot = path.resolve(__dirname, '../..');
const built = fs.existsSync(path.join(repoRoot, 'dist', 'nodes', 'sam-decoder', 'sam-decoder.js'));
const linux = fs.existsSync('/proc/self/status');
const require_ = createRequire(__filename);
const { prepareUserDir, exampleWorkspace } = require_(path.join(repoRoot, 'scripts', 'start.js')) as {
  prepareUserDir: (o: { userDir: string; port: number; reset: boolean }) => string;
  exampleWorkspace: () => Array<Record<string, unknown>>;
};

/** Resident memory of a process in MB (VmRSS). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

/** A JSON endpoint: POST /samflow/prompt {points?, boxes?, prompts?} on the bundled sample image → masks or 400. */
function promptTab(sampleRule: Record<string, unknown>, modelId: string): Array<Record<string, unknown>> {
  const z = 'limits-tab';
  return [
    { id: z, type: 'tab', label: 'limits', disabled: false, info: '' },
    { id: 'lim-in', type: 'http in', z, url: '/samflow/prompt', method: 'post', upload: false, x: 100, y: 100, wires: [['lim-fields']] },
    {
      id: 'lim-fields',
      type: 'change',
      z,
      x: 260,
      y: 100,
      wires: [['lim-enc']],
      rules: [
        { t: 'set', p: 'points', pt: 'msg', to: 'payload.points', tot: 'msg' },
        { t: 'set', p: 'boxes', pt: 'msg', to: 'payload.boxes', tot: 'msg' },
        { t: 'set', p: 'prompts', pt: 'msg', to: 'payload.prompts', tot: 'msg' },
        sampleRule,
      ],
    },
    { id: 'lim-enc', type: 'sam-encoder', z, model: modelId, policy: 'all', x: 420, y: 100, wires: [['lim-prompt']] },
    { id: 'lim-prompt', type: 'sam-prompt', z, source: 'msg', x: 560, y: 100, wires: [['lim-dec']] },
    { id: 'lim-dec', type: 'sam-decoder', z, model: modelId, x: 700, y: 100, wires: [['lim-json']] },
    { id: 'lim-json', type: 'change', z, x: 840, y: 100, wires: [['lim-out']], rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'masks', tot: 'msg' }] },
    { id: 'lim-out', type: 'http response', z, statusCode: '', headers: {}, x: 980, y: 100, wires: [] },
    { id: 'lim-img', type: 'http in', z, url: '/samflow/encode', method: 'post', upload: false, x: 100, y: 260, wires: [['lim-enc2']] },
    { id: 'lim-enc2', type: 'sam-encoder', z, model: modelId, policy: 'all', x: 420, y: 260, wires: [['lim-ok']] },
    { id: 'lim-ok', type: 'change', z, x: 560, y: 260, wires: [['lim-out']], rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'encoded', tot: 'str' }] },
    { id: 'lim-catch', type: 'catch', z, scope: ['lim-fields', 'lim-enc', 'lim-prompt', 'lim-dec', 'lim-enc2'], uncaught: false, x: 100, y: 180, wires: [['lim-err']] },
    {
      id: 'lim-err',
      type: 'change',
      z,
      x: 260,
      y: 180,
      wires: [['lim-out']],
      rules: [
        { t: 'set', p: 'payload', pt: 'msg', to: 'error.message', tot: 'msg' },
        { t: 'set', p: 'statusCode', pt: 'msg', to: '400', tot: 'num' },
      ],
    },
  ];
}

describe.skipIf(!built || !linux)('bounded inputs in a live Node-RED runtime (real model)', () => {
  let red: ChildProcess | undefined;
  let base = '';
  let userDir = '';
  let log = '';

  beforeAll(async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samflow-limits-'));
    const port = await freePort();
    prepareUserDir({ userDir, port, reset: true });
    const workspace = exampleWorkspace();
    const click = workspace.find((n) => n.id === 'c2m-change') as { rules: Array<Record<string, unknown>> };
    const model = workspace.find((n) => n.type === 'sam-model') as { id: string };
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify([...workspace, ...promptTab(click.rules[0], model.id)]));
    red = spawn(process.execPath, [path.join(repoRoot, 'node_modules', 'node-red', 'red.js'), '-u', userDir, '-s', path.join(userDir, 'settings.js')], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    red.stdout!.on('data', (b: Buffer) => (log += b.toString()));
    red.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    base = `http://127.0.0.1:${port}`;
    const until = Date.now() + 90_000;
    while (!log.includes('Started flows')) {
      if (Date.now() > until || red.exitCode !== null) throw new Error(`Node-RED did not start:\n${log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 120_000);

  afterAll(async () => {
    await stopNodeRed(red);
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  /** Every request must be answered: a hung one fails the test after 60 s. */
  async function call(p: string, body?: unknown): Promise<{ status: number; text: string }> {
    const init: RequestInit =
      body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) };
    const res = await fetch(`${base}${p}`, { ...init, signal: AbortSignal.timeout(60_000) });
    return { status: res.status, text: res.headers.get('content-type')?.includes('image/') ? '<image>' : await res.text() };
  }

  it('the click example answers good and bad queries (x=abc, missing y, outside) — 200 or 400 with the message', async () => {
    expect((await call('/samflow/click?x=90&y=120')).status).toBe(200);
    for (const [q, message] of [
      ['x=abc&y=10', /abc|number/i],
      ['x=90', /give the click as \?x=\.\.\.&y=\.\.\./],
      ['x=5000&y=10', /outside the 320x240 image/],
    ] as const) {
      const r = await call(`/samflow/click?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.text, q).toMatch(message);
    }
  }, 120_000);

  const mb = (v: unknown): number => Buffer.byteLength(JSON.stringify(v)) / 1e6;
  const pts = (n: number) => Array.from({ length: n }, (_, i) => [i % 300, (i * 7) % 220, 1]);
  it('no input under 1 MB raises resident memory by more than 200 MB: the worst cases are refused before allocation', async () => {
    await call('/samflow/prompt', { points: [[90, 120, 1]] }); // model loaded, sample image encoded
    const before = rssMb(red!.pid!);
    const worst: Array<[string, unknown, RegExp]> = [
      ['6,000 points', { points: pts(6000) }, /6000 is over the limit of 64/],
      ['60,000 points', { points: pts(60_000) }, /60000 is over the limit of 64/],
      ['1,001 boxes', { boxes: Array.from({ length: 1001 }, () => [1, 1, 50, 50]) }, /1001 is over the limit of 1000/],
      ['300 prompts', { prompts: Array.from({ length: 300 }, () => ({ points: [[10, 10, 1]] })) }, /300 is over the limit of 256/],
      ['a prompt of 65 points', { prompts: [{ points: pts(65) }] }, /65 is over the limit of 64/],
      ['deeply nested points', { points: JSON.parse('['.repeat(2000) + ']'.repeat(2000)) as unknown }, /finite numbers|expected a point/],
    ];
    for (const [name, body, message] of worst) {
      expect(mb(body), name).toBeLessThan(1);
      const r = await call('/samflow/prompt', body);
      expect(r.status, name).toBe(400);
      expect(r.text, name).toMatch(message);
      const grown = rssMb(red!.pid!) - before;
      expect(grown, `${name}: +${grown.toFixed(0)} MB resident`).toBeLessThan(200);
    }
    expect((await call('/samflow/prompt', 'not json at all')).status).toBeGreaterThanOrEqual(400);
  }, 180_000);

  it('a full redeploy while requests wait in an encoder queue: every request is answered', async () => {
    const images = await Promise.all(
      [10, 60, 110, 160].map((g) =>
        sharp({ create: { width: 200 + g, height: 150, channels: 3, background: { r: g, g: 255 - g, b: 90 } } })
          .png()
          .toBuffer(),
      ),
    );
    const pending = images.map((img) =>
      fetch(`${base}/samflow/encode`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: img, signal: AbortSignal.timeout(60_000) }).then(
        async (r) => `${r.status} ${await r.text()}`,
        (e: unknown) => `failed: ${String(e)}`,
      ),
    );
    await new Promise((r) => setTimeout(r, 300)); // the first is encoding, the others wait
    const flows = await (await fetch(`${base}/flows`)).json();
    const redeployed = await fetch(`${base}/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(flows),
    });
    expect(redeployed.ok).toBe(true);
    const answers = await Promise.all(pending);
    console.log(`limits e2e: answers during a redeploy: ${JSON.stringify(answers.map((a) => a.slice(0, 90)))}`);
    for (const a of answers) expect(a).toMatch(/^(200 encoded|503 sam-encoder: the node was stopped \(a redeploy)/);
  }, 120_000);

  it('resident memory after 500 mixed requests is within 10 % of after 50', async () => {
    const mixed = [
      () => call('/samflow/prompt', { points: [[90, 120, 1]] }),
      () =>
        call('/samflow/prompt', {
          points: [
            [90, 120, 1],
            [200, 60, 0],
          ],
          box: undefined,
        }),
      () => call('/samflow/prompt', { boxes: [[40, 40, 160, 200]] }),
      () => call('/samflow/prompt', { points: pts(6000) }),
      () => call('/samflow/prompt', { points: [['abc', 1, 1]] }),
      () => call('/samflow/click?x=abc&y=1'),
      () => call('/samflow/click?x=90&y=120'),
      () => call('/samflow/prompt', { points: [[9999, 1, 1]] }),
    ];
    let statuses = new Map<number, number>();
    const batch = async (n: number, offset: number): Promise<void> => {
      // 4 in parallel, like several clients
      for (let i = 0; i < n; i += 4) {
        const rs = await Promise.all(Array.from({ length: Math.min(4, n - i) }, (_, k) => mixed[(offset + i + k) % mixed.length]()));
        for (const r of rs) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
    };
    await batch(40, 0); // warm-up: arenas, caches, JIT
    statuses = new Map();
    await batch(50, 40);
    const at50 = rssMb(red!.pid!);
    await batch(450, 90);
    const at500 = rssMb(red!.pid!);
    expect(at500).toBeGreaterThan(0);
    console.log(
      `limits e2e: RSS after 50 requests ${at50.toFixed(0)} MB, after 500 ${at500.toFixed(0)} MB (${((at500 / at50 - 1) * 100).toFixed(1)} %); statuses ${JSON.stringify([...statuses])}`,
    );
    expect([...statuses.keys()].sort()).toEqual([200, 400]); // every request answered, good ones 200, bad ones 400
    expect(at500).toBeLessThanOrEqual(at50 * 1.1);
    expect(red!.exitCode).toBeNull();
  }, 600_000);
});
