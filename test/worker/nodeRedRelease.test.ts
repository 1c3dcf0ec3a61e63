import { describe, expect, it } from 'vitest';
import { HostedSamModel } from '../../core/model/HostedSamModel';
import type { SamModel } from '../../core/model/SamModel';
import { DetectorHolder } from '../../nodes/lib/DetectorHolder';
import { ModelRuntime } from '../../nodes/lib/ModelRuntime';

/** Threads of this process (Linux), or undefined elsewhere. */
async function processThreads(): Promise<number | undefined> {
  const fs = await import('node:fs');
  try {
    return Number(/Threads:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 200));

describe('Node-RED holders end their workers on close (redeploy)', () => {
  it('sam-model: ModelRuntime.close releases the hosted model and its worker threads; the thread count comes back', async () => {
    const before = await processThreads();
    const runtime = new ModelRuntime({ threads: 1, decoderWorkers: 1 }, 2);
    const model = await runtime.run(async (m: SamModel) => m);
    expect(model).toBeInstanceOf(HostedSamModel);
    const hosts = (model as HostedSamModel).workerHosts;
    expect(hosts).toHaveLength(3);
    expect(hosts.every((h) => h.threadId > 0)).toBe(true);
    await runtime.close();
    expect(model.released).toBe(true);
    expect(hosts.every((h) => h.terminated && h.threadId === -1)).toBe(true);
    await settle();
    if (before !== undefined) expect(await processThreads()).toBeLessThanOrEqual(before + 1); // onnxruntime's global pool may stay
  });

  it('sam-detector: DetectorHolder.close ends the detector worker', async () => {
    const before = await processThreads();
    let state = '';
    const holder = new DetectorHolder((s) => (state = s));
    const detector = await holder.run(async (d) => d);
    expect(state).toBe('ready');
    await holder.close();
    expect(detector.released).toBe(true);
    await settle();
    if (before !== undefined) expect(await processThreads()).toBeLessThanOrEqual(before);
  });
});
