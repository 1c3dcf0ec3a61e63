import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SamflowError } from '../../core/errors';
import { WorkerHost } from '../../core/worker/WorkerHost';

const toy = path.join(__dirname, 'fixtures', 'toyWorker.js');
type ToyApi = {
  scale: { args: { data: Float32Array }; result: { data: Float32Array } };
  refuse: { args: { why: string }; result: never };
  hog: { args: Record<string, never>; result: never };
};
type ToyInit = { scale: number; fail?: string };
const start = (init: ToyInit) =>
  WorkerHost.start<ToyApi, ToyInit, { scale: number }>({ module: toy, init, label: 'toy model', resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 } });

describe('WorkerHost', () => {
  it('calls by id with transfer lists: the buffer moves there and back', async () => {
    const { host, ready } = await start({ scale: 2 });
    try {
      expect(ready).toEqual({ scale: 2 });
      const data = Float32Array.of(1, 2, 3);
      const other = Float32Array.of(10);
      const [a, b] = await Promise.all([host.call('scale', { data }, [data.buffer]), host.call('scale', { data: other })]);
      expect(data.byteLength).toBe(0); // moved, not copied
      expect([...a.data]).toEqual([2, 4, 6]);
      expect([...b.data]).toEqual([20]);
      expect([...other]).toEqual([10]); // copied: the caller's array is untouched
    } finally {
      await host.terminate();
    }
  });

  it('hands back the worker’s SamflowError with its code, and the worker stays usable', async () => {
    const { host } = await start({ scale: 3 });
    try {
      await expect(host.call('refuse', { why: 'no' })).rejects.toMatchObject({ code: 'BAD_OPTION', message: 'toy: no' });
      expect([...(await host.call('scale', { data: Float32Array.of(1) })).data]).toEqual([3]);
      expect(host.starts).toBe(1);
    } finally {
      await host.terminate();
    }
  });

  it('refuses arguments that cannot cross threads, and stays usable', async () => {
    const { host } = await start({ scale: 2 });
    try {
      const bad = { data: (() => 1) as unknown as Float32Array };
      await expect(host.call('scale', bad)).rejects.toMatchObject({ code: 'BAD_OPTION' });
      expect(host.inFlight).toBe(0);
      expect([...(await host.call('scale', { data: Float32Array.of(4) })).data]).toEqual([8]);
    } finally {
      await host.terminate();
    }
  });

  it('rejects start with the setup’s error, and leaves no thread', async () => {
    const e = await start({ scale: 1, fail: '/x/model.onnx' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(SamflowError);
    expect(e).toMatchObject({ code: 'MODEL_INVALID', source: '/x/model.onnx' });
  });

  it('a worker out of memory fails only the calls in flight with MODEL_WORKER_CRASHED, is restarted, and works again', async () => {
    const { host } = await start({ scale: 5 });
    try {
      const e = await host.call('hog', {}).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toMatchObject({ code: 'MODEL_WORKER_CRASHED' });
      expect((e as Error).message).toMatch(/toy model: its worker thread ran out of memory while running hog; that call failed and the worker was restarted/);
      expect([...(await host.call('scale', { data: Float32Array.of(2) })).data]).toEqual([10]);
      expect(host.starts).toBe(2);
    } finally {
      await host.terminate();
    }
    await expect(host.call('scale', { data: Float32Array.of(2) })).rejects.toMatchObject({ code: 'MODEL_RELEASED' });
  });
});

describe('WorkerHost.terminate during a restart', () => {
  it('waits for the new worker’s setup, then ends it once; a call made meanwhile fails with MODEL_RELEASED', async () => {
    const { host } = await start({ scale: 2 });
    await expect(host.call('hog', {})).rejects.toMatchObject({ code: 'MODEL_WORKER_CRASHED' });
    // the restarted worker is still loading now
    const call = expect(host.call('scale', { data: Float32Array.of(1) })).rejects.toMatchObject({ code: 'MODEL_RELEASED' });
    const [a, b] = [host.terminate(), host.terminate()];
    expect(a).toBe(b);
    await a;
    await call;
    expect(host.threadId).toBe(-1);
    expect(host.starts).toBe(2);
  });
});
