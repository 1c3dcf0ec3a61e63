import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { lastValueFrom, of } from 'rxjs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  candidateToMask,
  decodeImage,
  decodeMasks,
  DEFAULT_LIMITS,
  describeValue,
  encodeImage,
  listImageFiles,
  loadSamModel,
  operators,
  preprocessImage,
  boxesToPrompts,
  resolveAmgOptions,
  rleToMask,
  SamflowError,
  type Frame,
  type SamflowErrorCode,
  type SamModel,
  type SamPrompt,
} from '../../core';
import { encodeOnnxModel, FLOAT } from '../text/onnxWriter';
import { FakeSamModel, fakeSpec, testFrame } from '../operators/FakeSamModel';

/** What a call gave: the SamflowError's code and message, or 'ok'. Raw errors fail the test. */
async function outcome(run: () => unknown): Promise<{ code: SamflowErrorCode | 'ok'; message: string; source?: string }> {
  try {
    await run();
    return { code: 'ok', message: '' };
  } catch (e) {
    if (!(e instanceof SamflowError)) throw new Error(`expected a SamflowError, got ${describeValue(e)}`, { cause: e });
    return { code: e.code, message: e.message, ...(e.source !== undefined ? { source: e.source } : {}) };
  }
}

const points = (n: number): SamPrompt => ({ points: Array.from({ length: n }, (_, i) => ({ x: i % 1000, y: 10, label: 1 as const })) });
const circular: unknown[] = [];
circular.push(circular);

async function embedded(model: SamModel, frame: Frame = testFrame('f')) {
  return encodeImage(model, frame);
}

describe('every exported function refuses bad arguments with a coded SamflowError naming them', () => {
  const fake = new FakeSamModel();
  const cases: Array<[string, () => unknown, SamflowErrorCode, RegExp]> = [
    ['decodeImage(null)', () => decodeImage(null as never), 'BAD_IMAGE', /expected a Buffer, a file path or a raw frame/],
    ['decodeImage(42)', () => decodeImage(42 as never), 'BAD_IMAGE', /got 42/],
    ['decodeImage maxPixels "x"', () => decodeImage(Buffer.from('x'), { maxPixels: 'x' as never }), 'BAD_OPTION', /maxPixels/],
    ['loadSamModel(null)', () => loadSamModel(null as never), 'BAD_OPTION', /options must be an object/],
    ['loadSamModel({id: 42})', () => loadSamModel({ id: 42 as never }), 'BAD_OPTION', /id must be a non-empty string, got 42/],
    ['loadSamModel({id: "../../etc"})', () => loadSamModel({ id: '../../etc' }), 'BAD_OPTION', /must be a plain name .* not a path/],
    ['loadSamModel({encoderPath: {}})', () => loadSamModel({ encoderPath: {} as never, decoderPath: 'x' }), 'BAD_OPTION', /encoderPath/],
    ['encodeImage(null model)', () => encodeImage(null as never, testFrame('f')), 'BAD_OPTION', /model must be a loaded SamModel/],
    ['encodeImage(model, null)', () => encodeImage(fake, null as never), 'BAD_IMAGE', /frame must be a decoded Frame/],
    ['encodeImage(model, path)', () => encodeImage(fake, 'cat.jpg' as never), 'BAD_IMAGE', /decodeImage\(\) first/],
    ['encodeImage short frame', () => encodeImage(fake, { ...testFrame('s', 10, 10), rgb: new Uint8Array(7) }), 'BAD_IMAGE', /10x10x3 = 300 RGB bytes, got 7/],
    ['encodeImage 0x0 frame', () => encodeImage(fake, { id: 'z', width: 0, height: 0, rgb: new Uint8Array(0) }), 'BAD_IMAGE', /at least 1x1/],
    ['decodeMasks(model, null)', () => decodeMasks(fake, null as never, points(1)), 'BAD_OPTION', /embedded must be what encodeImage\(\) returned/],
    ['decodeMasks(model, "emb")', () => decodeMasks(fake, 'emb' as never, points(1)), 'BAD_OPTION', /embedded must be/],
    ['decodeMasks(null model)', () => decodeMasks(null as never, null as never, points(1)), 'BAD_OPTION', /model must be/],
    ['candidateToMask(null)', () => candidateToMask(null as never), 'BAD_OPTION', /expected a mask candidate/],
    ['candidateToMask({})', () => candidateToMask({} as never), 'BAD_OPTION', /expected a mask candidate/],
    ['rleToMask(null)', () => rleToMask(null as never), 'BAD_OPTION', /expected a COCO RLE/],
    ['rleToMask 200000x200000', () => rleToMask({ size: [200000, 200000], counts: [0, 200000 * 200000] }), 'BAD_OPTION', /over the limit of 100000000; .*maxPixels/],
    ['rleToMask 200000x200000 compressed', () => rleToMask({ size: [200000, 200000], counts: 'PP' }), 'BAD_OPTION', /over the limit/],
    ['AMG pointsPerSide 1000', () => resolveAmgOptions({ pointsPerSide: 1000 }), 'BAD_OPTION', /pointsPerSide: 1000 is over the limit of 256.*maxPointsPerSide/],
    ['AMG a million crop layers (refused before building the grids)', () => resolveAmgOptions({ cropNLayers: 1_000_000 }), 'BAD_OPTION', /over the limit of 262144.*maxGridPoints/],
    ['boxesToPrompts 1001 detections', () => boxesToPrompts(Array.from({ length: 1001 }, () => [0, 0, 5, 5])), 'BAD_PROMPT', /1001 is over the limit of 1000.*maxBoxes/],
    ['listImageFiles bad glob class', () => listImageFiles('photos/[z-a].jpg'), 'BAD_OPTION', /bad character class '\[z-a\]'/],
    ['listImageFiles empty glob class', () => listImageFiles('photos/[].jpg'), 'BAD_OPTION', /character class|unclosed/],
  ];
  it.each(cases)('%s', async (_name, run, code, message) => {
    const o = await outcome(run);
    expect(o.code).toBe(code);
    expect(o.message).toMatch(message);
  });
});

describe('prompt limits and silent wrong answers', () => {
  it(`refuses more than ${DEFAULT_LIMITS.maxPointsPerPrompt} points before the decoder runs (6,000 and 100,000 too)`, async () => {
    const model = new FakeSamModel();
    const e = await embedded(model);
    for (const n of [DEFAULT_LIMITS.maxPointsPerPrompt + 1, 6000, 100_000]) {
      const o = await outcome(() => decodeMasks(model, e, points(n)));
      expect(o.code).toBe('BAD_PROMPT');
      expect(o.message).toMatch(new RegExp(`${n} is over the limit of 64.*maxPointsPerPrompt`));
    }
    expect(model.decoderCalls).toBe(0);
    // exactly at the limit works, and the limit is an option
    expect((await decodeMasks(model, e, points(64))).length).toBe(1);
    expect((await decodeMasks(model, e, points(100), { maxPointsPerPrompt: 100 })).length).toBe(1);
    expect(model.decoderCalls).toBe(2);
  });

  it('a mask prompt of NaN (or Infinity) is refused, naming where', async () => {
    const model = new FakeSamModel();
    const e = await embedded(model);
    for (const bad of [NaN, Infinity]) {
      const maskInput = new Float32Array(256 * 256);
      maskInput[256 * 3 + 5] = bad;
      const o = await outcome(() => decodeMasks(model, e, { ...points(1), maskInput }));
      expect(o.code).toBe('BAD_PROMPT');
      expect(o.message).toMatch(new RegExp(`${bad} at index 773 \\(row 3, column 5\\)`));
    }
    expect(model.decoderCalls).toBe(0);
  });

  it('a circular points array gives a clear error, not a TypeError', async () => {
    const model = new FakeSamModel();
    const e = await embedded(model);
    const o = await outcome(() => decodeMasks(model, e, { points: circular as never }));
    expect(o.code).toBe('BAD_PROMPT');
    expect(o.message).toMatch(/point 0/);
  });
});

describe('operators.decodeMasks', () => {
  it('refuses a prompt with more points than maxPointsPerPrompt before decoding it', async () => {
    const model = new FakeSamModel();
    const e = await embedded(model);
    const fine = await lastValueFrom(of({ embedded: e, prompts: [points(3)] }).pipe(operators.decodeMasks(model, { maxPointsPerPrompt: 3 })));
    expect(fine.length).toBeGreaterThan(0);
    const runs = model.decoderCalls;
    await expect(lastValueFrom(of({ embedded: e, prompts: [points(4)] }).pipe(operators.decodeMasks(model, { maxPointsPerPrompt: 3 })))).rejects.toMatchObject({
      code: 'BAD_PROMPT',
      message: expect.stringMatching(/4 is over the limit of 3/),
    });
    expect(model.decoderCalls).toBe(runs);
  });
});

describe('extreme aspect ratios', () => {
  it.each([
    [4000, 1],
    [1, 3000],
    [100000, 1],
  ])('%ix%i decodes, encodes (>= 1 px short side) and gives a mask of the original size', async (w, h) => {
    const png = await sharp({ create: { width: w, height: h, channels: 3, background: { r: 200, g: 10, b: 10 } } })
      .png()
      .toBuffer();
    const frame = await decodeImage(png, { sourceName: `thin-${w}x${h}.png` });
    expect([frame.width, frame.height]).toEqual([w, h]);
    const pre = await preprocessImage(frame, fakeSpec);
    expect(Math.min(pre.transform.resizedWidth, pre.transform.resizedHeight)).toBe(1);
    expect(Math.max(pre.transform.resizedWidth, pre.transform.resizedHeight)).toBe(1024);
    // the first row/column of the padded input holds the image (normalized red), the rest is zero padding
    expect(pre.input[0]).toBeCloseTo((200 - 123.675) / 58.395, 3);
    expect(pre.input[1024 * 1024 - 1]).toBe(0);
    const model = new FakeSamModel();
    const e = await encodeImage(model, frame);
    const [c] = await decodeMasks(model, e, { points: [{ x: w / 2, y: h / 2, label: 1 }] });
    const mask = candidateToMask(c);
    expect([mask.width, mask.height]).toEqual([w, h]);
    expect(mask.data.some((v) => v === 1)).toBe(true);
  });
});

describe('release() while encodeImage preprocesses', () => {
  it('the encode started before release finishes (models with retain), release waits for it', async () => {
    // A model honouring SamModel.retain: release waits for retained work and in-flight runs.
    class RetainingModel extends FakeSamModel {
      private holds = 0;
      private readonly waiters: Array<() => void> = [];
      retain(): () => void {
        this.holds++;
        let once = false;
        return () => {
          if (once) return;
          once = true;
          if (--this.holds === 0) for (const w of this.waiters.splice(0)) w();
        };
      }
      override async release(): Promise<void> {
        if (this.holds > 0) await new Promise<void>((r) => this.waiters.push(r));
        await new Promise((r) => setTimeout(r, 5)); // in-flight runs (auto mode resolves on setImmediate)
        this.released = true;
      }
    }
    const model = new RetainingModel();
    const big = testFrame('big', 3000, 2000); // needs a resize: preprocessing is async
    const encoding = encodeImage(model, big);
    const released = model.release();
    const e = await encoding;
    expect(e.embedding.tensors.image_embeddings.data.length).toBe(256 * 64 * 64);
    await released;
    expect(model.released).toBe(true);
    expect((await outcome(() => encodeImage(model, big))).code).toBe('MODEL_RELEASED');
  });
});

describe('the README model folder layout: models/<id>/encoder.onnx + decoder.onnx, no model.json', () => {
  const encoder = () =>
    encodeOnnxModel({
      // float32[1,3,1024,1024] → 16×16 average pool → float32[1,3,64,64] → 1×1 Conv → float32[1,256,64,64]
      nodes: [
        { op: 'AveragePool', inputs: ['image'], outputs: ['pooled'], ints: { kernel_shape: [16, 16], strides: [16, 16] } },
        { op: 'Conv', inputs: ['pooled', 'w'], outputs: ['embedding'] },
      ],
      initializers: [{ name: 'w', dims: [256, 3, 1, 1], data: new Float32Array(256 * 3).fill(0.1) }],
      inputs: [{ name: 'image', elemType: FLOAT, dims: [1, 3, 1024, 1024] }],
      outputs: [{ name: 'embedding', elemType: FLOAT, dims: [1, 256, 64, 64] }],
    });
  const decoder = () =>
    encodeOnnxModel({
      nodes: [
        { op: 'Identity', inputs: ['has_mask_input'], outputs: ['iou_predictions'] },
        { op: 'Identity', inputs: ['mask_input'], outputs: ['low_res_masks'] },
        { op: 'Identity', inputs: ['orig_im_size'], outputs: ['masks'] },
        { op: 'Identity', inputs: ['image_embeddings'], outputs: ['e'] },
        { op: 'Identity', inputs: ['point_coords'], outputs: ['c'] },
        { op: 'Identity', inputs: ['point_labels'], outputs: ['l'] },
      ],
      initializers: [],
      inputs: [
        { name: 'image_embeddings', elemType: FLOAT, dims: [1, 256, 64, 64] },
        { name: 'point_coords', elemType: FLOAT, dims: [1, 'n', 2] },
        { name: 'point_labels', elemType: FLOAT, dims: [1, 'n'] },
        { name: 'mask_input', elemType: FLOAT, dims: [1, 1, 256, 256] },
        { name: 'has_mask_input', elemType: FLOAT, dims: [1] },
        { name: 'orig_im_size', elemType: FLOAT, dims: [2] },
      ],
      outputs: [
        { name: 'iou_predictions', elemType: FLOAT, dims: [1] },
        { name: 'low_res_masks', elemType: FLOAT, dims: [1, 1, 256, 256] },
        { name: 'masks', elemType: FLOAT, dims: [2] },
        { name: 'e', elemType: FLOAT, dims: [1, 256, 64, 64] },
        { name: 'c', elemType: FLOAT, dims: [1, 'n', 2] },
        { name: 'l', elemType: FLOAT, dims: [1, 'n'] },
      ],
    });

  it('loads a folder with only encoder.onnx and decoder.onnx under the given id', async () => {
    const modelsDir = mkdtempSync(path.join(tmpdir(), 'samflow-models-'));
    mkdirSync(path.join(modelsDir, 'my-sam'));
    writeFileSync(path.join(modelsDir, 'my-sam', 'encoder.onnx'), encoder());
    writeFileSync(path.join(modelsDir, 'my-sam', 'decoder.onnx'), decoder());
    const model = await loadSamModel({ id: 'my-sam', modelsDir, threads: 1, splitDecoder: false });
    try {
      expect(model.id).toBe('my-sam');
      expect(model.spec.encoder).toMatchObject({ input: 'image', output: 'embedding' });
      expect(model.spec.description).toContain('my-sam');
    } finally {
      await model.release();
    }
  });

  it('a folder with only one of the two files is still refused, naming what to put there', async () => {
    const modelsDir = mkdtempSync(path.join(tmpdir(), 'samflow-models-'));
    mkdirSync(path.join(modelsDir, 'half'));
    writeFileSync(path.join(modelsDir, 'half', 'encoder.onnx'), encoder());
    const o = await outcome(() => loadSamModel({ id: 'half', modelsDir, threads: 1 }));
    expect(o.code).toBe('MODEL_NOT_FOUND');
    expect(o.message).toMatch(/encoder\.onnx and decoder\.onnx under models\/half\//);
  });
});

describe('describeValue', () => {
  it('never throws and stays short', () => {
    expect(describeValue(circular)).toMatch(/Circular/);
    expect(describeValue('x'.repeat(10_000)).length).toBeLessThanOrEqual(80);
    expect(describeValue(Object.create(null))).toBe('[Object: null prototype] {}');
  });
  it('limits at their documented defaults', () => {
    expect(DEFAULT_LIMITS).toMatchObject({ maxPointsPerPrompt: 64, maxPromptsPerMessage: 256, maxBoxes: 1000, maxPixels: 100_000_000, maxRlePixels: 100_000_000 });
    expect(
      boxesToPrompts(
        Array.from({ length: 1001 }, () => [0, 0, 5, 5]),
        { maxBoxes: 2000 },
      ),
    ).toHaveLength(1001);
  });
});
