import type { Node, NodeAPI, NodeDef } from '../red';
import { ModelRuntime } from '../lib/ModelRuntime';
import type { ModelLoadOptions } from '../lib/modelLoader';

interface SamModelDef extends NodeDef {
  readonly source?: 'id' | 'paths';
  readonly modelId?: string;
  readonly encoderPath?: string;
  readonly decoderPath?: string;
  /** '' = all cores */
  readonly threads?: string | number;
  readonly arena?: boolean;
  /** '' or 0 = none: prompts run on the 2-thread session */
  readonly decoderWorkers?: string | number;
  readonly cacheSize?: string | number;
}

interface SamModelNode extends Node {
  runtime: ModelRuntime;
}

function positiveInt(v: unknown, fallback: number | undefined): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 ? n : fallback;
}

/** The load options a sam-model config asks for. */
function loadOptionsOf(def: SamModelDef): ModelLoadOptions {
  const threads = positiveInt(def.threads, undefined);
  const decoderWorkers = positiveInt(def.decoderWorkers, undefined);
  const base: ModelLoadOptions = {
    enableCpuMemArena: def.arena !== false,
    ...(threads ? { threads } : {}),
    ...(decoderWorkers ? { decoderWorkers } : {}),
  };
  if (def.source === 'paths') {
    return { ...base, encoderPath: def.encoderPath ?? '', decoderPath: def.decoderPath ?? '', ...(def.modelId ? { id: def.modelId } : {}) };
  }
  return { ...base, ...(def.modelId ? { id: def.modelId } : {}) };
}

/**
 * sam-model (config node): loads the SAM encoder and decoder sessions once and keeps the embedding
 * cache; every sam-* node that names it shares both. Released on redeploy/removal after the
 * inference in flight has finished.
 */
export = function register(RED: NodeAPI): void {
  function SamModelNode(this: SamModelNode, def: SamModelDef): void {
    RED.nodes.createNode(this, def);
    this.runtime = new ModelRuntime(loadOptionsOf(def), positiveInt(def.cacheSize, 8) ?? 8);
    const runtime = this.runtime;
    this.on('close', (_removed, done) => {
      runtime.close().then(done, done);
    });
  }
  RED.nodes.registerType('sam-model', SamModelNode);
};
