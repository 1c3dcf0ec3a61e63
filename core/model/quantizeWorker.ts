import { readFileSync } from 'node:fs';
import { quantizeDynamic } from '../onnx/quantizeDynamic';
import { serveWorker } from '../worker/serveWorker';
import { DERIVED_RECIPES } from './prepareDerivedModel';
import type { QuantizeWorkerApi } from './quantizeWorkerApi';

// Worker module: quantizeDynamic off the main thread (started by prepareDerivedModel through WorkerHost).
serveWorker<QuantizeWorkerApi, Record<string, never>, Record<string, never>>(async () => ({
  ready: { value: {} },
  handlers: {
    async quantize({ file, recipe, role }) {
      const opts = DERIVED_RECIPES[recipe]?.[role];
      if (!opts) throw new Error(`recipe "${recipe}" does not quantize the ${role}`);
      const r = quantizeDynamic(readFileSync(file), opts);
      return { value: { model: r.model, quantized: r.quantized.length }, transfer: [r.model.buffer as ArrayBuffer] };
    },
  },
}));
