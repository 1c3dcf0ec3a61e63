import * as ort from 'onnxruntime-node';
import { SamflowError } from '../errors';
import { LOW_RES_SIZE, type DecoderFeeds } from '../types';
import type { DecoderOutput, ModelSpec, SamModel } from './SamModel';
import type { OrtSamDecoder } from './OrtSamDecoder';

/** SamModel over two onnxruntime-node sessions. Created by loadSamModel. */
export class OrtSamModel implements SamModel {
  readonly id: string;
  private inFlight = new Set<Promise<unknown>>();
  private releasing: Promise<void> | undefined;

  constructor(
    readonly spec: ModelSpec,
    private readonly encoder: ort.InferenceSession,
    private readonly decoder: OrtSamDecoder,
  ) {
    this.id = spec.id;
  }

  get decoderConcurrency(): number {
    return this.decoder.concurrency;
  }

  get released(): boolean {
    return this.releasing !== undefined;
  }

  private track<T>(run: () => Promise<T>): Promise<T> {
    if (this.releasing) {
      return Promise.reject(new SamflowError('MODEL_RELEASED', `model "${this.id}" was released; load it again to run it`));
    }
    const p = run();
    this.inFlight.add(p);
    const done = (): void => {
      this.inFlight.delete(p);
    };
    p.then(done, done);
    return p;
  }

  runEncoder(input: Float32Array): Promise<Float32Array> {
    const s = this.spec.inputSize;
    if (input.length !== 3 * s * s) {
      return Promise.reject(new SamflowError('BAD_OPTION', `encoder input must be float32[1,3,${s},${s}], got ${input.length} values`));
    }
    return this.track(async () => {
      // in: float32[1,3,1024,1024] → out: float32[1,256,64,64]
      const feeds = { [this.spec.encoder.input]: new ort.Tensor('float32', input, [1, 3, s, s]) };
      const out = await this.encoder.run(feeds, [this.spec.encoder.output]);
      const t = out[this.spec.encoder.output]!;
      return t.data as Float32Array;
    });
  }

  runDecoder(embedding: Float32Array, feeds: DecoderFeeds): Promise<DecoderOutput> {
    const dims = this.spec.encoder.embeddingDims;
    return this.track(async () => {
      const names = this.spec.decoder.inputs;
      const o = this.spec.decoder.outputs;
      const n = feeds.numPoints;
      const tensors: Record<string, ort.Tensor> = {
        [names[0]!]: new ort.Tensor('float32', embedding, dims), // float32[1,256,64,64]
        [names[1]!]: new ort.Tensor('float32', feeds.pointCoords, [1, n, 2]),
        [names[2]!]: new ort.Tensor('float32', feeds.pointLabels, [1, n]),
        [names[3]!]: new ort.Tensor('float32', feeds.maskInput, [1, 1, LOW_RES_SIZE, LOW_RES_SIZE]),
        [names[4]!]: new ort.Tensor('float32', feeds.hasMaskInput, [1]),
        [names[5]!]: new ort.Tensor('float32', feeds.origImSize, [2]),
      };
      const out = await this.decoder.run(embedding, tensors, [o.iou, o.lowResMasks]);
      const iou = out[o.iou]!; // float32[1,numMasks]
      const low = out[o.lowResMasks]!; // float32[1,numMasks,256,256]
      const numMasks = low.dims[1] ?? 1;
      return { iouPredictions: iou.data as Float32Array, lowResMasks: low.data as Float32Array, numMasks };
    });
  }

  release(): Promise<void> {
    if (!this.releasing) {
      this.releasing = (async () => {
        await Promise.allSettled([...this.inFlight]);
        await Promise.all([this.encoder.release(), this.decoder.release()]);
      })();
    }
    return this.releasing;
  }
}
