import { SamflowError } from '../../../core/errors';
import type { DecoderOutput, SamModel } from '../../../core/model/SamModel';
import { LOW_RES_SIZE, type DecoderFeeds, type ImageEmbedding } from '../../../core/types';
import { sam1Embedding } from '../../support/sam1Embedding';
import { fakeSam1Spec } from '../../support/fakeSam1Spec';

/** Radius (in the 1024 model frame) of the disc the fake decoder predicts around a click. */
export const FAKE_DISC_RADIUS_MODEL = 40;

export const FAKE_SPEC = fakeSam1Spec('fake-sam', 'test double: discs around clicks, rectangles for boxes');

/**
 * A SamModel test double with a known answer: the decoder returns +10 logits inside a disc of
 * FAKE_DISC_RADIUS_MODEL around the first foreground click (or inside the box, for box prompts)
 * and -10 elsewhere, so node tests can check masks against known shapes. Counts calls and
 * releases; `encoderDelayMs` keeps an encode in flight for redeploy tests.
 */
export class FakeSamModel implements SamModel {
  readonly id = FAKE_SPEC.id;
  readonly spec = FAKE_SPEC;
  encoderRuns = 0;
  decoderRuns = 0;
  releaseCalls = 0;
  released = false;
  /** The mask_input of the last decoder run: null when has_mask_input was 0. */
  lastMaskInput: Float32Array | null = null;
  /** Set when a run was still going when release() was called (a leak/crash in a real session). */
  releasedDuringRun = false;
  private running = 0;

  constructor(readonly encoderDelayMs = 0) {}

  async runEncoder(input: Float32Array): Promise<ImageEmbedding> {
    this.check();
    if (input.length !== 3 * 1024 * 1024) throw new Error(`fake encoder: bad input length ${input.length}`);
    this.encoderRuns++;
    this.running++;
    try {
      if (this.encoderDelayMs) await new Promise((r) => setTimeout(r, this.encoderDelayMs));
    } finally {
      this.running--;
    }
    this.check();
    return sam1Embedding(); // float32[1,256,64,64]
  }

  async runDecoder(_embedding: ImageEmbedding, feeds: DecoderFeeds): Promise<DecoderOutput> {
    this.check();
    this.decoderRuns++;
    this.lastMaskInput = feeds.hasMaskInput[0] === 1 ? Float32Array.from(feeds.maskInput) : null;
    const n = feeds.numPoints;
    const lowResMasks = new Float32Array(LOW_RES_SIZE * LOW_RES_SIZE).fill(-10); // float32[1,256,256]
    const f = LOW_RES_SIZE / 1024;
    let box: number[] | undefined;
    let click: number[] | undefined;
    for (let i = 0; i < n; i++) {
      const x = feeds.pointCoords[2 * i];
      const y = feeds.pointCoords[2 * i + 1];
      const label = feeds.pointLabels[i];
      if (label === 2) box = [x, y];
      else if (label === 3 && box) box.push(x, y);
      else if (label === 1 && !click) click = [x, y];
    }
    for (let v = 0; v < LOW_RES_SIZE; v++) {
      for (let u = 0; u < LOW_RES_SIZE; u++) {
        // low-res pixel centre in the model frame
        const mx = (u + 0.5) / f;
        const my = (v + 0.5) / f;
        let inside = false;
        if (box && box.length === 4) inside = mx >= box[0] && mx <= box[2] && my >= box[1] && my <= box[3];
        else if (click) inside = (mx - click[0]) ** 2 + (my - click[1]) ** 2 <= FAKE_DISC_RADIUS_MODEL ** 2;
        if (inside) lowResMasks[v * LOW_RES_SIZE + u] = 10;
      }
    }
    return { iouPredictions: new Float32Array([box ? 0.95 : 0.9]), lowResMasks, numMasks: 1 };
  }

  async release(): Promise<void> {
    this.releaseCalls++;
    if (this.running > 0) this.releasedDuringRun = true;
    this.released = true;
  }

  private check(): void {
    if (this.released) throw new SamflowError('MODEL_RELEASED', 'fake model: used after release');
  }
}
