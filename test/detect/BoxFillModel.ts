import type { DecoderOutput, SamModel } from '../../core/model/SamModel';
import { LOW_RES_SIZE, type DecoderFeeds, type ImageEmbedding } from '../../core/types';
import { sam1Embedding } from '../support/sam1Embedding';
import { fakeSam1Spec } from '../support/fakeSam1Spec';

const spec = fakeSam1Spec('box-fill', 'test fake: the mask is the prompt box');

/**
 * A SamModel whose decoder returns logits +10 at low-res pixels whose centre lies inside the box
 * prompt (labels 2/3 corners, model frame / 4) and −10 elsewhere; predicted IoU = 0.5 + box area
 * fraction. Masks are then the box, so expected results can be computed by hand.
 */
export class BoxFillModel implements SamModel {
  readonly id = 'box-fill';
  readonly spec = spec;
  released = false;
  readonly feeds: DecoderFeeds[] = [];
  async runEncoder(): Promise<ImageEmbedding> {
    return sam1Embedding(); // float32[1,256,64,64]
  }
  async runDecoder(_embedding: ImageEmbedding, feeds: DecoderFeeds): Promise<DecoderOutput> {
    this.feeds.push(feeds);
    let x0 = 0,
      y0 = 0,
      x1 = 0,
      y1 = 0;
    for (let i = 0; i < feeds.numPoints; i++) {
      const [x, y] = [feeds.pointCoords[2 * i] / 4, feeds.pointCoords[2 * i + 1] / 4];
      if (feeds.pointLabels[i] === 2) [x0, y0] = [x, y];
      if (feeds.pointLabels[i] === 3) [x1, y1] = [x, y];
    }
    const lowResMasks = new Float32Array(LOW_RES_SIZE * LOW_RES_SIZE).fill(-10); // float32[1,256,256]
    for (let y = 0; y < LOW_RES_SIZE; y++) {
      for (let x = 0; x < LOW_RES_SIZE; x++) {
        if (x + 0.5 >= x0 && x + 0.5 <= x1 && y + 0.5 >= y0 && y + 0.5 <= y1) lowResMasks[y * LOW_RES_SIZE + x] = 10;
      }
    }
    const frac = ((x1 - x0) * (y1 - y0)) / (LOW_RES_SIZE * LOW_RES_SIZE);
    return { iouPredictions: new Float32Array([0.5 + frac]), lowResMasks, numMasks: 1 };
  }
  async release(): Promise<void> {
    this.released = true;
  }
}
