import * as path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { summarizeDelay } from '../../bench/eventLoopDelay';
import { parseCpuSeconds, parseThreadCount, threadCount } from '../../bench/NodeRedChild';
import { cameraStreamFlows, clickGrid, formatDelay, latencySummary, runFrames, selectedParts } from '../../bench/threads';
import type { Frame, SamPrompt } from '../../core/types';

const repoRoot = path.resolve(__dirname, '../..');

function frame(id: string): Frame {
  return { id, width: 40, height: 20, rgb: new Uint8Array(40 * 20 * 3) /* uint8[20,40,3] */ };
}

describe('bench/threads pure pieces', () => {
  it('summarizes a delay histogram in ms beyond the 10 ms sampling interval (it counts ns) and gives zeros for an empty one', () => {
    const h = { count: 3, max: 30_000_000, percentile: (p: number) => (p === 50 ? 10_120_000 : 25_000_000) };
    expect(summarizeDelay(h)).toEqual({ p50: 0.12, p99: 15, max: 20, samples: 3 });
    expect(summarizeDelay({ count: 1, max: 9_000_000, percentile: () => 9_000_000 })).toEqual({ p50: 0, p99: 0, max: 0, samples: 1 });
    expect(summarizeDelay({ count: 0, max: 0, percentile: () => NaN })).toEqual({ p50: 0, p99: 0, max: 0, samples: 0 });
    expect(formatDelay({ p50: 1, p99: 12.345, max: 40, samples: 9 })).toBe('1.0 / 12.3 / 40.0 ms');
  });

  it('summarizes latencies with nearest-rank percentiles', () => {
    const ms = Array.from({ length: 20 }, (_, i) => i + 1); // 1..20
    expect(latencySummary(ms)).toEqual({ p50: 10.5, p95: 19, max: 20, n: 20 });
  });

  it('reads the thread count of /proc/<pid>/status, and of this process', () => {
    expect(parseThreadCount('Name:\tnode\nUmask:\t0022\nThreads:\t17\nSigQ:\t0/1\n')).toBe(17);
    expect(() => parseThreadCount('Name:\tnode\n')).toThrow(/Threads/);
    if (process.platform === 'linux') expect(threadCount(process.pid)).toBeGreaterThanOrEqual(1);
  });

  it('reads user + system CPU seconds of /proc/<pid>/stat, also when the command name has spaces and parentheses', () => {
    const stat = '4242 (node (red) x) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 266 0 0 20 0 55 0 1000 1 1';
    expect(parseCpuSeconds(stat)).toBe(15);
    expect(parseCpuSeconds(stat, 1000)).toBe(1.5);
    expect(() => parseCpuSeconds('garbage')).toThrow(/stat/);
  });

  it('picks the parts named in SAMFLOW_BENCH_THREADS_PARTS and refuses unknown names', () => {
    expect(selectedParts(undefined)).toEqual(['amg', 'stream', 'nodeRed', 'compare', 'overlap']);
    expect(selectedParts('overlap, amg')).toEqual(['amg', 'overlap']);
    expect(() => selectedParts('amg,gpu')).toThrow(/unknown part\(s\) gpu/);
  });

  it('lays a grid of single clicks inside the image', () => {
    const g = clickGrid(100, 50, 4);
    expect(g.map((p) => p.points![0])).toEqual([
      { x: 25, y: 12.5, label: 1 },
      { x: 75, y: 12.5, label: 1 },
      { x: 25, y: 37.5, label: 1 },
      { x: 75, y: 37.5, label: 1 },
    ]);
    expect(clickGrid(100, 50, 5)).toHaveLength(5);
  });

  it('takes the camera-stream example alone out of the example workspace, with the sam-model its nodes use', () => {
    const { exampleWorkspace } = createRequire(__filename)(path.join(repoRoot, 'scripts', 'start.js')) as { exampleWorkspace: () => Record<string, unknown>[] };
    const flows = cameraStreamFlows(exampleWorkspace());
    const tabs = flows.filter((n) => n['type'] === 'tab');
    expect(tabs.map((t) => t['label'])).toEqual(['camera-stream']);
    const types = flows.map((n) => n['type']);
    for (const t of ['inject', 'sam-encoder', 'sam-decoder', 'sam-model']) expect(types).toContain(t);
    expect(types.filter((t) => t === 'sam-model')).toHaveLength(1);
    const model = flows.find((n) => n['type'] === 'sam-model')!;
    for (const n of flows.filter((f) => f['type'] === 'sam-encoder' || f['type'] === 'sam-decoder')) expect(n['model']).toBe(model['id']);
    expect(flows.every((n) => n['type'] === 'tab' || n['type'] === 'sam-model' || n['z'] === tabs[0]['id'])).toBe(true);
  });
});

describe('runFrames: encode of frame n+1 vs decodes of frame n', () => {
  /** Stages that log every start and end and resolve on a later macrotask. */
  function recorder(): { events: string[]; stages: Parameters<typeof runFrames<string>>[0] } {
    const events: string[] = [];
    const later = <T>(v: T): Promise<T> => new Promise((r) => setImmediate(() => r(v)));
    return {
      events,
      stages: {
        encode: async (f: Frame) => {
          events.push(`encode ${f.id}`);
          const e = await later(f.id);
          events.push(`encoded ${f.id}`);
          return e;
        },
        decode: async (e: string, p: SamPrompt) => {
          events.push(`decode ${e}@${p.points![0].x}`);
          await later(null);
          events.push(`decoded ${e}@${p.points![0].x}`);
        },
      },
    };
  }
  const frames = [frame('a'), frame('b'), frame('c')];
  const prompts = (): SamPrompt[] => [{ points: [{ x: 1, y: 1, label: 1 }] }, { points: [{ x: 2, y: 1, label: 1 }] }];

  it('serialized: each encode starts only after the decodes of the frame before ended', async () => {
    const { events, stages } = recorder();
    expect(await runFrames(stages, frames, prompts, false)).toBe(6);
    expect(events.indexOf('encode b')).toBeGreaterThan(events.indexOf('decoded a@1'));
    expect(events.indexOf('encode b')).toBeGreaterThan(events.indexOf('decoded a@2'));
    expect(events.indexOf('encode c')).toBeGreaterThan(events.indexOf('decoded b@2'));
  });

  it('overlapped: the encode of frame n+1 starts before the decodes of frame n, and every frame is still decoded once', async () => {
    const { events, stages } = recorder();
    expect(await runFrames(stages, frames, prompts, true)).toBe(6);
    expect(events.indexOf('encode b')).toBeLessThan(events.indexOf('decode a@1'));
    expect(events.indexOf('encode c')).toBeLessThan(events.indexOf('decode b@1'));
    expect(events.filter((e) => e.startsWith('encode ')).sort()).toEqual(['encode a', 'encode b', 'encode c']);
    expect(events.filter((e) => e.startsWith('decoded '))).toHaveLength(6);
    expect(events.indexOf('decoded c@2')).toBeGreaterThan(events.indexOf('encoded c'));
  });

  it('a failed encode of the next frame rejects the run (after the current decodes), not as an unhandled rejection', async () => {
    const { stages } = recorder();
    const failing = { ...stages, encode: (f: Frame) => (f.id === 'b' ? Promise.reject(new Error('encoder crashed on b')) : stages.encode(f)) };
    await expect(runFrames(failing, frames, prompts, true)).rejects.toThrow(/encoder crashed on b/);
  });
});
