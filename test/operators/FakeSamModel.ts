/**
 * A SamModel for operator tests, with no ONNX behind it.
 *
 * Technique (documented for every operator test): the real model is asynchronous (Promises), which
 * TestScheduler's virtual time cannot drive, so the fake's calls are Promises the TEST controls:
 * - `mode: 'manual'`: each runEncoder/runDecoder call returns a pending Promise; the test settles it
 *   with `settleEncoder()` / `settleDecoder()` at the moment it wants, which makes "busy encoder",
 *   drops, queue depth and "unsubscribed while in flight" exact and repeatable;
 * - `mode: 'auto'`: calls resolve on the next macrotask.
 * Pure synchronous operators and the backpressure core are marble-tested with TestScheduler instead.
 *
 * The decoder draws a disc of radius `discRadius` (model-frame pixels) around the first point (or the
 * box centre) in the 256×256 low-res grid: logits +8 inside, −8 outside, so expected masks can be
 * computed by hand.
 */
import type { DecoderOutput, SamModel } from '../../core/model/SamModel';
import { SamflowError } from '../../core/errors';
import type { DecoderFeeds, Frame, ImageEmbedding } from '../../core/types';
import { sam1Embedding } from '../support/sam1Embedding';
import { fakeSam1Spec } from '../support/fakeSam1Spec';

interface Pending<T> {
  resolve(v: T): void;
  reject(e: unknown): void;
}

export const fakeSpec = fakeSam1Spec('fake', 'test fake');

export class FakeSamModel implements SamModel {
  readonly id: string;
  readonly spec = fakeSpec;
  released = false;
  encoderCalls = 0;
  decoderCalls = 0;
  /** Model-frame radius of the disc the decoder draws. */
  discRadius = 160;
  predictedIou = 0.9;
  /** When set, the next encoder/decoder calls reject with this error. */
  failEncoder?: Error;
  failDecoder?: Error;
  readonly decodedFeeds: DecoderFeeds[] = [];
  private readonly pendingEnc: Pending<ImageEmbedding>[] = [];
  private readonly pendingDec: { p: Pending<DecoderOutput>; feeds: DecoderFeeds }[] = [];

  constructor(
    readonly mode: 'manual' | 'auto' = 'auto',
    id = 'fake',
  ) {
    this.id = id;
  }

  runEncoder(_input: Float32Array): Promise<ImageEmbedding> {
    if (this.released) return Promise.reject(new SamflowError('MODEL_RELEASED', 'fake model released'));
    this.encoderCalls++;
    const n = this.encoderCalls;
    if (this.failEncoder) return Promise.reject(this.failEncoder);
    if (this.mode === 'auto') return new Promise((r) => setImmediate(() => r(embeddingOf(n))));
    return new Promise<ImageEmbedding>((resolve, reject) => this.pendingEnc.push({ resolve: (v) => resolve(v), reject }));
  }

  runDecoder(_embedding: ImageEmbedding, feeds: DecoderFeeds): Promise<DecoderOutput> {
    if (this.released) return Promise.reject(new SamflowError('MODEL_RELEASED', 'fake model released'));
    this.decoderCalls++;
    this.decodedFeeds.push(feeds);
    if (this.failDecoder) return Promise.reject(this.failDecoder);
    if (this.mode === 'auto') return new Promise((r) => setImmediate(() => r(this.draw(feeds))));
    return new Promise<DecoderOutput>((resolve, reject) => this.pendingDec.push({ p: { resolve, reject }, feeds }));
  }

  /** Settles the oldest pending encoder call (manual mode). */
  settleEncoder(error?: Error): void {
    const p = this.pendingEnc.shift();
    if (!p) throw new Error('no pending encoder call');
    if (error) p.reject(error);
    else p.resolve(embeddingOf(this.encoderCalls));
  }

  settleDecoder(error?: Error): void {
    const d = this.pendingDec.shift();
    if (!d) throw new Error('no pending decoder call');
    if (error) d.p.reject(error);
    else d.p.resolve(this.draw(d.feeds));
  }

  get pendingEncoderCalls(): number {
    return this.pendingEnc.length;
  }
  get pendingDecoderCalls(): number {
    return this.pendingDec.length;
  }

  async release(): Promise<void> {
    this.released = true;
  }

  private draw(feeds: DecoderFeeds): DecoderOutput {
    // first point in the 1024 frame; for a box (labels 2,3) the centre of its two corners
    let cx = feeds.pointCoords[0];
    let cy = feeds.pointCoords[1];
    if (feeds.pointLabels[0] === 2 || (feeds.numPoints > 1 && feeds.pointLabels[1] === 2)) {
      const i = feeds.pointLabels[0] === 2 ? 0 : 1;
      cx = (feeds.pointCoords[2 * i] + feeds.pointCoords[2 * i + 2]) / 2;
      cy = (feeds.pointCoords[2 * i + 1] + feeds.pointCoords[2 * i + 3]) / 2;
    }
    const low = new Float32Array(256 * 256); // float32[1,1,256,256]
    const r = this.discRadius / 4;
    for (let y = 0; y < 256; y++) {
      for (let x = 0; x < 256; x++) {
        const dx = x + 0.5 - cx / 4;
        const dy = y + 0.5 - cy / 4;
        low[y * 256 + x] = dx * dx + dy * dy <= r * r ? 8 : -8;
      }
    }
    return { iouPredictions: Float32Array.of(this.predictedIou), lowResMasks: low, numMasks: 1 };
  }
}

function embeddingOf(n: number): ImageEmbedding {
  const e = new Float32Array(256 * 64 * 64); // float32[1,256,64,64]
  e[0] = n;
  return sam1Embedding(e);
}

/** A solid-colour frame; 1024 wide so preprocessing needs no resize. */
export function testFrame(id: string, width = 1024, height = 768): Frame {
  const rgb = new Uint8Array(width * height * 3).fill(100); // uint8[h,w,3]
  return { id, width, height, rgb };
}

/** Polls until `cond()` holds (real async work: sharp, promises), failing after `ms`. */
export async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('waitFor: condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Lets pending promise chains and immediates run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
