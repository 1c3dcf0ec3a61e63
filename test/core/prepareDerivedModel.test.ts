/**
 * Derived models on a tiny source model in a temp models folder: made on first use, up to date
 * afterwards, remade when the source file changes, and the int8 weights follow the new source.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveFiles } from '../../core/model/resolveModelFiles';
import { derivedModelState, prepareDerivedModel } from '../../core/model/prepareDerivedModel';
import { readOnnxModel, readOnnxTensor } from '../../core/onnx';
import { encodeOnnxModel, FLOAT } from '../text/onnxWriter';

/** x float32[2,4] → MatMul W float32[4,3] (all `value`) → y float32[2,3]. */
function tinyMatMul(value: number): Uint8Array {
  return encodeOnnxModel({
    nodes: [{ op: 'MatMul', inputs: ['x', 'W'], outputs: ['y'] }],
    initializers: [{ name: 'W', dims: [4, 3], data: new Float32Array(12).fill(value) }],
    inputs: [{ name: 'x', elemType: FLOAT, dims: [2, 4] }],
    outputs: [{ name: 'y', elemType: FLOAT, dims: [2, 3] }],
  });
}

function setup(): { modelsDir: string; sourceEncoder: string } {
  const modelsDir = mkdtempSync(path.join(tmpdir(), 'samflow-derived-'));
  mkdirSync(path.join(modelsDir, 'tiny'));
  mkdirSync(path.join(modelsDir, 'tiny-int8'));
  const sourceEncoder = path.join(modelsDir, 'tiny', 'encoder.onnx');
  writeFileSync(sourceEncoder, tinyMatMul(0.5));
  writeFileSync(path.join(modelsDir, 'tiny', 'decoder.onnx'), tinyMatMul(2));
  writeFileSync(path.join(modelsDir, 'tiny', 'model.json'), '{}');
  writeFileSync(path.join(modelsDir, 'tiny-int8', 'model.json'), JSON.stringify({ derivedFrom: { model: 'tiny', recipe: 'int8-encoder' } }));
  return { modelsDir, sourceEncoder };
}

const scaleOf = (file: string): number => readOnnxTensor(readOnnxModel(readFileSync(file)).initializers.get('W_scale')!).raw!.length;

describe('prepareDerivedModel', () => {
  it('makes models/<id>/ from the source, then leaves it, then remakes it when the source changes', async () => {
    const { modelsDir, sourceEncoder } = setup();
    const dir = path.join(modelsDir, 'tiny-int8');
    const first = await prepareDerivedModel({ id: 'tiny-int8', modelsDir }, resolveFiles);
    expect(first?.state).toBe('absent');
    const json1 = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
      source: { encoder: { sha256: string } };
      encoder: { sha256: string };
      quantized: { encoder: number; decoder: number };
    };
    expect(json1.quantized).toEqual({ encoder: 1, decoder: 0 });
    const enc = readOnnxModel(readFileSync(path.join(dir, 'encoder.onnx')));
    expect(enc.nodes.map((n) => n.opType)).toEqual(['DynamicQuantizeMatMul']);
    expect(scaleOf(path.join(dir, 'encoder.onnx'))).toBe(3 * 4); // float32[3]: one scale per column
    // decoder copied unchanged by this recipe
    expect(readFileSync(path.join(dir, 'decoder.onnx'))).toEqual(readFileSync(path.join(modelsDir, 'tiny', 'decoder.onnx')));
    // loading resolves the derived files with their checksums
    const files = resolveFiles({ id: 'tiny-int8', modelsDir });
    expect(files.encoderFile).toBe(path.join(dir, 'encoder.onnx'));
    expect(files.entry.encoder.sha256).toBe(json1.encoder.sha256);

    const again = await prepareDerivedModel({ id: 'tiny-int8', modelsDir }, resolveFiles);
    expect(again?.state).toBe('ready');
    expect(JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'))).toEqual(json1); // untouched

    writeFileSync(sourceEncoder, tinyMatMul(-0.25)); // the source changes
    const source = resolveFiles({ id: 'tiny', modelsDir });
    expect((await derivedModelState('tiny-int8', source, modelsDir)).state).toBe('stale');
    const third = await prepareDerivedModel({ id: 'tiny-int8', modelsDir }, resolveFiles);
    expect(third?.state).toBe('stale');
    const json3 = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as typeof json1;
    expect(json3.source.encoder.sha256).not.toBe(json1.source.encoder.sha256);
    expect(json3.encoder.sha256).not.toBe(json1.encoder.sha256);
    const w = readOnnxTensor(readOnnxModel(readFileSync(path.join(dir, 'encoder.onnx'))).initializers.get('W_quantized')!);
    expect([...new Int8Array(w.raw!.buffer, w.raw!.byteOffset, w.raw!.length)]).toEqual(new Array<number>(12).fill(-127)); // -0.25 / (0.25/127)
    expect((await derivedModelState('tiny-int8', source, modelsDir)).state).toBe('ready');
  });

  it("quantizes the decoder too with the recipe 'int8-encoder-decoder'", async () => {
    const { modelsDir } = setup();
    writeFileSync(path.join(modelsDir, 'tiny-int8', 'model.json'), JSON.stringify({ derivedFrom: { model: 'tiny', recipe: 'int8-encoder-decoder' } }));
    await prepareDerivedModel({ id: 'tiny-int8', modelsDir }, resolveFiles);
    const json = JSON.parse(readFileSync(path.join(modelsDir, 'tiny-int8', 'model.json'), 'utf8')) as { quantized: unknown };
    expect(json.quantized).toEqual({ encoder: 1, decoder: 1 });
    const dec = readOnnxModel(readFileSync(path.join(modelsDir, 'tiny-int8', 'decoder.onnx')));
    expect(dec.nodes.map((n) => n.opType)).toEqual(['DynamicQuantizeMatMul']);
  });

  it('does nothing for models that are not derived or for explicit files', async () => {
    const { modelsDir } = setup();
    expect(await prepareDerivedModel({ id: 'tiny', modelsDir }, resolveFiles)).toBeUndefined();
    expect(await prepareDerivedModel({ id: 'tiny-int8', encoderPath: 'x.onnx', modelsDir }, resolveFiles)).toBeUndefined();
  });

  it('names the recipe when a model.json asks for one that does not exist', async () => {
    const { modelsDir } = setup();
    writeFileSync(path.join(modelsDir, 'tiny-int8', 'model.json'), JSON.stringify({ derivedFrom: { model: 'tiny', recipe: 'int4' } }));
    await expect(prepareDerivedModel({ id: 'tiny-int8', modelsDir }, resolveFiles)).rejects.toThrow(/unknown recipe "int4"/);
  });
});
