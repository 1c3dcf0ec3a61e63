import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterNamesForStream, connectSamCluster, runSamJob, type SamCluster, type SamJob, type SamJobResult } from '../../core/cluster';
import { loadSamModel } from '../../core/model/loadSamModel';
import type { SamModel } from '../../core/model/SamModel';
import type { AmgRecord } from '../../core/records';
import type { AmgCocoInstances } from '../../core/annotate/annotateFolder';
import type { CompressedRle } from '../../core/types';
import { runCli } from '../support/runCli';
import { renderScene, type Shape } from '../support/syntheticScene';
import { NatsServer, natsServerBinary, requireNats } from './natsServer';
import { SamflowWorker, builtCli, repoRoot } from './samflowWorker';

// Real nats-server, real `samflow worker` processes. Skips without nats-server, fails under CI=1.
// The 40-job and annotate cases run ~60 encoder passes: 8 min allowed on a loaded 2-core machine.
const d = natsServerBinary || requireNats ? describe : describe.skip;

const tmp = mkdtempSync(path.join(tmpdir(), 'samflow-cluster-'));
const scenes: Shape[][] = [
  [{ kind: 'circle', cx: 80, cy: 90, r: 50, color: '#2060e0' }],
  [{ kind: 'rect', x: 150, y: 40, w: 90, h: 100, color: '#e0a020' }],
  [
    { kind: 'circle', cx: 200, cy: 120, r: 45, color: '#20a040' },
    { kind: 'rect', x: 30, y: 30, w: 60, h: 60, color: '#c02020' },
  ],
  [{ kind: 'circle', cx: 140, cy: 110, r: 70, color: '#8020c0' }],
];
/** The box prompt used for scene i (around its first shape). */
function boxOf(s: Shape): [number, number, number, number] {
  return s.kind === 'circle' ? [s.cx - s.r - 4, s.cy - s.r - 4, s.cx + s.r + 4, s.cy + s.r + 4] : [s.x - 4, s.y - 4, s.x + s.w + 4, s.y + s.h + 4];
}
const images: Buffer[] = [];
const folder = path.join(tmp, 'folder');

let server: NatsServer;
let model: SamModel;
const workers: SamflowWorker[] = [];
const clients: SamCluster[] = [];
let streamNo = 0;
const nextStream = (): string => `T${++streamNo}_${process.pid}`;

async function startWorker(name: string, stream: string, extra: string[] = []): Promise<SamflowWorker> {
  const w = await SamflowWorker.start(name, server.url, stream, ['--ack-wait', '4000', ...extra]);
  workers.push(w);
  return w;
}
async function client(stream: string, maxInFlight = 64): Promise<SamCluster> {
  const c = await connectSamCluster({ servers: server.url, names: clusterNamesForStream(stream), delivery: { ackWaitMs: 4000 }, maxInFlight });
  clients.push(c);
  return c;
}
async function waitUntil(what: string, ms: number, ok: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const segmentJob = (i: number): SamJob => {
  const k = i % scenes.length;
  return { id: `job-${i}`, task: 'segment', prompts: [{ box: boxOf(scenes[k][0]) }], image: images[k], source: `scene${k}.png` };
};
/** A COCO file the data engine wrote. */
function readCoco(file: string): AmgCocoInstances {
  return JSON.parse(readFileSync(file, 'utf8')) as AmgCocoInstances;
}
function countsOf(r: SamJobResult): string[] {
  if (!r.ok) throw new Error(`job ${r.id} failed: ${r.error.message}`);
  return (r.records as AmgRecord<CompressedRle>[]).map((x) => x.segmentation.counts);
}

beforeAll(async () => {
  for (const s of scenes) images.push(await renderScene(320, 240, s));
  mkdirSync(folder);
  images.forEach((b, i) => writeFileSync(path.join(folder, `scene${i}.png`), b));
  writeFileSync(path.join(folder, 'sample.png'), readFileSync(path.join(repoRoot, 'flows', 'assets', 'sample.png')));
  writeFileSync(path.join(folder, 'broken.png'), Buffer.concat([images[0].subarray(0, 40), Buffer.from('truncated here')]));
  if (!natsServerBinary) throw new Error('nats-server is not installed; CI=1 requires it (apt-get install nats-server)');
  if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: run npm run build first`);
  server = await NatsServer.start();
  model = await loadSamModel({ threads: 1 });
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  for (const w of workers) await w.kill('SIGKILL');
  await model?.release();
  await server?.dispose();
});

d('samflow cluster on a real nats-server with real samflow workers', () => {
  it('40 jobs over 2 workers, one SIGKILLed mid-job: every result arrives exactly once, equal to the local run', async () => {
    const stream = nextStream();
    const [a, b] = await Promise.all([startWorker('A', stream), startWorker('B', stream)]);
    const c = await client(stream);
    await waitUntil('2 workers seen', 15_000, () => c.workers().length === 2);
    const arrived: SamJobResult[] = [];
    const all = Promise.all(Array.from({ length: 40 }, (_, i) => c.submit(segmentJob(i)).then((r) => (arrived.push(r), r))));
    // kill A in the middle of a job: after it finished 2, while it reports one started and not done
    await waitUntil('worker A mid-job', 120_000, () => {
      const started = (a.log.match(/started, attempt/g) ?? []).length;
      return a.doneIds().length >= 2 && started > a.doneIds().length;
    });
    const inHand = [...a.log.matchAll(/job (\S+) \(segment\) started/g)].map((m) => m[1]).pop()!;
    await a.kill('SIGKILL');
    const results = await all;
    expect(results.map((r) => r.id)).toEqual(Array.from({ length: 40 }, (_, i) => `job-${i}`));
    expect(new Set(arrived.map((r) => r.id)).size).toBe(40);
    expect(arrived).toHaveLength(40);
    expect(results.every((r) => r.ok)).toBe(true);
    // the job A died on was finished by B
    expect(results.find((r) => r.id === inHand)!.worker).toBe('B');
    expect(b.doneIds()).toContain(inHand);
    // same masks as the same job run here
    const reference = await Promise.all(scenes.map(async (_, k) => (await runSamJob(model, segmentJob(k))).records as AmgRecord<CompressedRle>[]));
    for (const r of results) expect(countsOf(r)).toEqual(reference[Number(r.id.slice(4)) % scenes.length].map((x) => x.segmentation.counts));
    expect(c.status.inFlight).toBe(0);
  }, 480_000);

  it('annotate --nats writes the same COCO as a single-machine run; the corrupt image is an error result naming it', async () => {
    const stream = nextStream();
    await Promise.all([startWorker('C', stream), startWorker('D', stream)]);
    const flags = ['--points-per-side', '4', '--pred-iou-thresh', '0.5', '--stability-thresh', '0.5'];
    const localOut = path.join(tmp, 'local.json');
    const clusterOut = path.join(tmp, 'cluster.json');
    const local = await runCli(['annotate', folder, '--out', localOut, '--threads', '1', '--decoder-workers', '0', ...flags]);
    expect(local.code, local.stderr).toBe(0);
    const remote = await runCli(['annotate', folder, '--out', clusterOut, '--nats', server.url, '--stream', stream, ...flags]);
    expect(remote.code, remote.stderr).toBe(0);
    expect(remote.stderr).toMatch(/skipped broken\.png: .*broken\.png/);
    expect(remote.stderr).toMatch(/5 images annotated, 0 already done, 1 unreadable/);
    const l = readCoco(localOut);
    const r = readCoco(clusterOut);
    expect(l.images.length).toBe(5);
    expect(l.annotations.length).toBeGreaterThan(5);
    expect(r.images).toEqual(l.images);
    expect(r.annotations).toEqual(l.annotations);
    expect(r.categories).toEqual(l.categories);
  }, 480_000);

  it('a corrupt image among good jobs: an error result naming it at once (attempt 1), the others unaffected', async () => {
    const stream = nextStream();
    await startWorker('E', stream);
    const c = await client(stream);
    const bad: SamJob = { id: 'bad', task: 'segment', prompts: [{ box: [1, 1, 50, 50] }], image: Buffer.from('GIF89a but not really'), source: 'camera7/frame.png' };
    const results = await Promise.all([c.submit(segmentJob(0)), c.submit(bad), c.submit(segmentJob(1))]);
    expect(results[0].ok && results[2].ok).toBe(true);
    const r = results[1];
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('BAD_IMAGE');
    expect(r.error.message).toContain('camera7/frame.png');
    expect(r.attempt).toBe(1);
  });

  it('the broker restarted mid-run (same store): no job lost', async () => {
    const stream = nextStream();
    const w = await startWorker('F', stream);
    const c = await client(stream);
    const all = Promise.all(Array.from({ length: 10 }, (_, i) => c.submit(segmentJob(i))));
    await waitUntil('2 jobs done', 120_000, () => c.status.done >= 2);
    await server.restart();
    const results = await all;
    expect(results.map((r) => r.id).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `job-${i}`).sort());
    expect(results.every((r) => r.ok)).toBe(true);
    // the worker rode through the restart (results it could not publish meanwhile were redone and deduplicated)
    expect(w.proc.exitCode).toBeNull();
  });

  it('a client that disconnects and resumes (--resume) does not redo finished images', async () => {
    const stream = nextStream();
    const w = await startWorker('G', stream);
    const out = path.join(tmp, 'resume.json');
    const flags = ['--points-per-side', '4', '--pred-iou-thresh', '0.5', '--stability-thresh', '0.5', '--nats', server.url, '--stream', stream, '--max-in-flight', '1'];
    const first = spawn(process.execPath, [builtCli, 'annotate', folder, '--out', out, ...flags], { cwd: repoRoot, stdio: 'ignore' });
    const firstExit = new Promise((r) => first.once('exit', r));
    await waitUntil('2 images in the output', 120_000, () => existsSync(out) && readCoco(out).images.length >= 2);
    first.kill('SIGKILL');
    await firstExit;
    const finished: string[] = readCoco(out).images.map((i) => i.file_name);
    const second = await runCli(['annotate', folder, '--out', out, '--resume', ...flags]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(new RegExp(`${finished.length} already done`));
    const final = readCoco(out);
    expect(final.images.map((i) => i.file_name).sort()).toEqual(['sample.png', 'scene0.png', 'scene1.png', 'scene2.png', 'scene3.png']);
    // every image finished in the first run was worked on once only
    for (const f of finished) expect(w.doneIds().filter((id) => id === f)).toHaveLength(1);
    // same annotations as the uninterrupted single-machine run of the test above
    const local = readCoco(path.join(tmp, 'local.json'));
    const byFile = (c: { images: { id: number; file_name: string }[]; annotations: { image_id: number; segmentation: CompressedRle }[] }): Record<string, string[]> =>
      Object.fromEntries(c.images.map((i) => [i.file_name, c.annotations.filter((a) => a.image_id === i.id).map((a) => a.segmentation.counts)]));
    expect(byFile(final)).toEqual(byFile(local));
  });

  it('SIGTERM drains a worker: it finishes the job in hand, takes no new one, exits 0', async () => {
    const stream = nextStream();
    const h = await startWorker('H', stream);
    const c = await client(stream);
    const first = c.submit(segmentJob(0));
    await h.waitFor(/job job-0 \(segment\) started/, 120_000);
    const second = c.submit(segmentJob(1));
    const exited = h.kill('SIGTERM');
    const r0 = await first;
    expect(r0.ok && r0.worker).toBe('H');
    expect(await exited).toBe(0);
    expect(h.doneIds()).toEqual(['job-0']);
    // the job that waited is served by the next worker
    await startWorker('I', stream);
    const r1 = await second;
    expect(r1.ok && r1.worker).toBe('I');
  });

  it('samflow segment / everything --nats print the same JSON as the local commands', async () => {
    const stream = nextStream();
    await startWorker('J', stream);
    const img = path.join(folder, 'scene2.png');
    const nats = ['--nats', server.url, '--stream', stream];
    const seg = ['segment', img, '--box', '26,26,94,94', '--json'];
    const [segLocal, segRemote] = [await runCli([...seg, '--threads', '1']), await runCli([...seg, ...nats])];
    expect(segRemote.code, segRemote.stderr).toBe(0);
    expect(JSON.parse(segRemote.stdout)).toEqual(JSON.parse(segLocal.stdout));
    const every = ['everything', img, '--points-per-side', '4', '--pred-iou-thresh', '0.5', '--stability-thresh', '0.5'];
    const [evLocal, evRemote] = [await runCli([...every, '--threads', '1', '--decoder-workers', '0']), await runCli([...every, ...nats])];
    expect(evRemote.code, evRemote.stderr).toBe(0);
    expect(JSON.parse(evRemote.stdout)).toEqual(JSON.parse(evLocal.stdout));
    // a bad image through the cluster: exit 1 naming it
    const bad = await runCli(['segment', path.join(folder, 'broken.png'), '--box', '1,1,9,9', ...nats]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('broken.png');
  });
});
