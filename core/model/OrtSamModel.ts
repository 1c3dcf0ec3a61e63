import * as ort from 'onnxruntime-node';
import { SamflowError } from '../errors';
import { RunTracker } from './RunTracker';
import type { DecoderFeeds, ImageEmbedding } from '../types';
import { decoderFeedTensors, decoderOutputOf } from './decoderFeedTensors';
import { embeddingOfOutputs, encoderOutputNames } from './encoderOutputs';
import { decoderOutputNames } from './family/decoderOutputNames';
import type { DecoderOutput, ModelSpec, SamModel } from './SamModel';
import type { OrtSamDecoder } from './OrtSamDecoder';

/**
 * SamModel over onnxruntime-node sessions on the calling thread: every run blocks the event loop for
 * its length. Created by loadSamModel with `inProcess: true` (for measurements); the default is
 * HostedSamModel, which runs the same sessions on worker threads.
 */
export class OrtSamModel implements SamModel {
  readonly id: string;
  private readonly runs = new RunTracker(() => new SamflowError('MODEL_RELEASED', `model "${this.id}" was released; load it again to run it`));

  constructor(
    readonly spec: ModelSpec,
    private readonly encoder: ort.InferenceSession,
    private readonly decoder: OrtSamDecoder,
  ) {
    this.id = spec.id;
  }

  /** One decoder run at a time: each holds the calling thread. */
  readonly decoderConcurrency = 1;

  get released(): boolean {
    return this.runs.closed;
  }

  /** See SamModel.retain: a release() issued meanwhile waits until the returned function is called. */
  retain(): () => void {
    return this.runs.retain();
  }

  runEncoder(input: Float32Array): Promise<ImageEmbedding> {
    const s = this.spec.inputSize;
    if (input.length !== 3 * s * s) {
      return Promise.reject(new SamflowError('BAD_OPTION', `encoder input must be float32[1,3,${s},${s}], got ${input.length} values`));
    }
    return this.runs.track(async () => {
      // in: float32[1,3,1024,1024] → out: the family's embedding tensors (sam1: float32[1,256,64,64])
      const feeds = { [this.spec.encoder.input]: new ort.Tensor('float32', input, [1, 3, s, s]) };
      return embeddingOfOutputs(this.spec, await this.encoder.run(feeds, encoderOutputNames(this.spec)));
    });
  }

  runDecoder(embedding: ImageEmbedding, feeds: DecoderFeeds): Promise<DecoderOutput> {
    return this.runs.track(async () => {
      const out = await this.decoder.run(embedding, decoderFeedTensors(this.spec, embedding, feeds), decoderOutputNames(this.spec), feeds.hasMaskInput[0] !== 0);
      return decoderOutputOf(this.spec, out);
    });
  }

  release(): Promise<void> {
    return this.runs.close(async () => {
      await Promise.all([this.encoder.release(), this.decoder.release()]);
    });
  }
}
