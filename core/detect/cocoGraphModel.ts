import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Tf from '@tensorflow/tfjs';
import { SamflowError } from '../errors';
import type { DetectorBackend } from './Detection';

const INPUT_NAME = 'tower_0/images';
const OUTPUT_NAME = 'tower_0/detections';

/** The tfjs registry name of each backend. */
const TF_BACKEND_NAME: Readonly<Record<DetectorBackend, string>> = { 'tfjs-node': 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

// tfjs keeps one global engine; initialise each backend once per process.
const backendReady = new Map<DetectorBackend, Promise<typeof Tf>>();

async function initTf(backend: DetectorBackend): Promise<typeof Tf> {
  if (backend === 'tfjs-node') {
    // Optional peer: present only when the user installed it. Its namespace re-exports @tensorflow/tfjs.
    let tfNode: typeof Tf;
    try {
      // an optional peer, loaded only when present; its type is the tfjs namespace
      // eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-assignment
      tfNode = require('@tensorflow/tfjs-node');
    } catch (e) {
      throw new SamflowError(
        'NOT_AVAILABLE',
        `COCO detector: @tensorflow/tfjs-node is installed but does not load (${e instanceof Error ? e.message : String(e)}); reinstall it or use backend 'wasm'`,
        undefined,
        { cause: e },
      );
    }
    await tfNode.setBackend('tensorflow');
    await tfNode.ready();
    return tfNode;
  }
  const tf = await import('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // In Node the wasm binaries are read from disk: a plain folder path with a trailing slash works.
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    wasm.setWasmPaths(dist + path.sep);
  }
  const ok = await tf.setBackend(backend);
  if (!ok) throw new SamflowError('NOT_AVAILABLE', `COCO detector: the tfjs '${backend}' backend failed to initialise; try backend 'cpu'`);
  await tf.ready();
  return tf;
}

function readGraphModelArtifacts(modelPath: string): Tf.io.ModelArtifacts {
  if (!fs.existsSync(modelPath)) {
    throw new SamflowError(
      'MODEL_NOT_FOUND',
      `COCO detector: model file ${modelPath} does not exist; pass modelPath pointing at a tfjs graph-model JSON (default: models/centernet.json inside @vladmandic/human@3.3.6)`,
      modelPath,
    );
  }
  let json: Tf.io.ModelJSON;
  try {
    json = JSON.parse(fs.readFileSync(modelPath, 'utf8')) as Tf.io.ModelJSON;
  } catch (e) {
    throw new SamflowError('MODEL_SIGNATURE', `COCO detector: ${modelPath} is not valid JSON (${String(e)})`, modelPath, { cause: e });
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new SamflowError('MODEL_SIGNATURE', `COCO detector: ${modelPath} is not a tfjs graph model (no modelTopology/weightsManifest)`, modelPath);
  }
  const dir = path.dirname(modelPath);
  const weightSpecs: Tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) {
      const file = path.join(dir, p);
      if (!fs.existsSync(file)) {
        throw new SamflowError('MODEL_NOT_FOUND', `COCO detector: weights file ${file} named by ${modelPath} does not exist`, file);
      }
      buffers.push(fs.readFileSync(file));
    }
  }
  const all = Buffer.concat(buffers);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tfjs typings resolve differently for tsc and for eslint's project (tsc needs this line as written)
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
    weightSpecs,
    weightData,
  };
}

function inputSizeOf(artifacts: Tf.io.ModelArtifacts, modelPath: string): number {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tfjs typings resolve differently for tsc and for eslint's project (tsc needs this line as written)
  const sig = artifacts.signature as { inputs?: Record<string, { tensorShape?: { dim?: { size?: string }[] } }>; outputs?: Record<string, unknown> } | undefined;
  const dims = sig?.inputs?.[INPUT_NAME]?.tensorShape?.dim;
  const size = Number(dims?.[1]?.size);
  if (!sig?.outputs?.[OUTPUT_NAME] || !(size > 0) || Number(dims?.[2]?.size) !== size) {
    throw new SamflowError(
      'MODEL_SIGNATURE',
      `COCO detector: ${modelPath} does not have the centernet signature (input ${INPUT_NAME} float32[1,S,S,3], output ${OUTPUT_NAME} float32[1,N,6])`,
      modelPath,
    );
  }
  return size;
}

/** The centernet graph model on one tfjs backend, in this thread. */
export interface CocoGraphModel {
  /** Side of the square input. */
  readonly inputSize: number;
  /** in: float32[1,S,S,3] 0–255 letterboxed → out: float32[1,100,6] raw detections */
  run(input: Float32Array): Promise<Float32Array>;
  dispose(): void;
}

/** Reads the graph model at `modelPath`, checks its signature and loads it on `backend` (this thread's tfjs). */
export async function openCocoGraphModel(backend: DetectorBackend, modelPath: string): Promise<CocoGraphModel> {
  const artifacts = readGraphModelArtifacts(modelPath);
  const inputSize = inputSizeOf(artifacts, modelPath);
  let ready = backendReady.get(backend);
  if (!ready) {
    ready = initTf(backend);
    backendReady.set(backend, ready);
    ready.catch(() => backendReady.delete(backend));
  }
  const tf = await ready;
  const model = await tf.loadGraphModel({ load: async () => artifacts });
  return {
    inputSize,
    async run(input) {
      // The tfjs backend is process-global: switch back if other code (or another detector) changed it.
      if (tf.getBackend() !== TF_BACKEND_NAME[backend]) await tf.setBackend(TF_BACKEND_NAME[backend]);
      const raw = tf.tidy(() => {
        const x = tf.tensor4d(input, [1, inputSize, inputSize, 3]); // float32[1,512,512,3] 0–255
        return model.execute(x, OUTPUT_NAME) as Tf.Tensor; // float32[1,100,6]
      });
      const data = (await raw.data()) as Float32Array;
      raw.dispose();
      return data;
    },
    dispose() {
      model.dispose();
    },
  };
}
