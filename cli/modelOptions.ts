import { UsageError, getNumber, getString, type OptionSpec, type ParsedArgs } from './args';
import { availableParallelism } from 'node:os';
import type { SamModelOptions } from '../core';

/** The flags that pick and configure the model (read by modelOptionsFrom). */
export const MODEL_SESSION_FLAGS: Readonly<Record<string, OptionSpec>> = {
  model: { kind: 'string' },
  encoder: { kind: 'string' },
  decoder: { kind: 'string' },
  threads: { kind: 'integer', min: 1 },
  'decoder-workers': { kind: 'integer', min: 0 },
};

/** Flags every model-using subcommand on user images accepts. */
export const MODEL_FLAGS: Readonly<Record<string, OptionSpec>> = {
  ...MODEL_SESSION_FLAGS,
  'max-pixels': { kind: 'number', min: 0, minExclusive: true },
};

export const MODEL_USAGE = '[--model ID | --encoder PATH --decoder PATH] [--threads N] [--decoder-workers N] [--max-pixels N]';

/** SamModelOptions from --model / --encoder / --decoder / --threads / --decoder-workers. */
export function modelOptionsFrom(a: ParsedArgs): SamModelOptions {
  const encoderPath = getString(a, 'encoder');
  const decoderPath = getString(a, 'decoder');
  if ((encoderPath === undefined) !== (decoderPath === undefined)) {
    throw new UsageError('--encoder and --decoder go together');
  }
  const id = getString(a, 'model');
  const threads = getNumber(a, 'threads');
  const decoderWorkers = getNumber(a, 'decoder-workers');
  return {
    ...(id !== undefined ? { id } : {}),
    ...(encoderPath !== undefined && decoderPath !== undefined ? { encoderPath, decoderPath } : {}),
    ...(threads !== undefined ? { threads } : {}),
    ...(decoderWorkers !== undefined ? { decoderWorkers } : {}),
  };
}

/**
 * Decoder worker threads for subcommands that decode many prompts per image (everything, annotate,
 * edges) when --decoder-workers is not given: one per core, at most 4; none on one core.
 * Measured on 2 cores: 2 workers ~20 ms per prompt vs ~26 ms for one 2-thread session.
 */
export function amgDecoderWorkers(): number {
  const cores = availableParallelism();
  return cores >= 2 ? Math.min(cores, 4) : 0;
}
