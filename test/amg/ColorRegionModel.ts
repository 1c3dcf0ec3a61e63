import { imageFeatures } from '../../core/model/imageFeatures';
import type { DecoderOutput, SamModel } from '../../core/model/SamModel';
import { LOW_RES_SIZE, type DecoderFeeds, type ImageEmbedding } from '../../core/types';
import { sam1Embedding } from '../support/sam1Embedding';
import { fakeSam1Spec } from '../support/fakeSam1Spec';

const MEAN = [123.675, 116.28, 103.53] as const;
const STD = [58.395, 57.12, 57.375] as const;

const spec = fakeSam1Spec('color-region', 'test fake: a click gives the region of its colour', { pixelMean: MEAN, pixelStd: STD });

export interface ColorRegion {
  /** Exact fill colour of the region in the image. */
  readonly rgb: readonly [number, number, number];
  /** Index (into the regions list) of the region that contains this one: its mask includes this one. */
  readonly parent?: number;
}

const LABELS_AT = 16 * 4096; // the 256×256 label map is stored from channel 16 on (65536 floats)

/**
 * A SamModel fake that needs no weights: the "encoder" labels each 4×4 block of the model frame by
 * its centre pixel's exact colour (region i+1, or 0 for anything else) and writes that label map
 * into the embedding, plus one-hot label features in channels 0..15 (so embedding-feature
 * similarity separates regions). The "decoder" returns logits +8 on the clicked region (and the
 * regions nested in it), −8 elsewhere, with predicted IoU 0.95; a click on the background gives
 * the background with predicted IoU 0.3 (filtered out); a box prompt gives the region at its centre. Counts decoder runs. Works on crops too, since it reads the pixels.
 */
export class ColorRegionModel implements SamModel {
  readonly id = 'color-region';
  readonly spec = spec;
  released = false;
  decoderRuns = 0;
  constructor(private readonly regions: readonly ColorRegion[]) {}

  async runEncoder(input: Float32Array): Promise<ImageEmbedding> {
    const S = 1024;
    const emb = new Float32Array(256 * 64 * 64); // float32[1,256,64,64]
    for (let ly = 0; ly < LOW_RES_SIZE; ly++) {
      for (let lx = 0; lx < LOW_RES_SIZE; lx++) {
        const px = lx * 4 + 2;
        const py = ly * 4 + 2;
        const rgb = [0, 1, 2].map((c) => Math.round(input[c * S * S + py * S + px] * STD[c] + MEAN[c]));
        const k = this.regions.findIndex((r) => r.rgb.every((v, c) => Math.abs(v - rgb[c]) <= 1));
        const label = k + 1;
        emb[LABELS_AT + ly * LOW_RES_SIZE + lx] = label;
        const fx = lx >> 2;
        const fy = ly >> 2;
        emb[Math.min(label, 15) * 4096 + fy * 64 + fx] += 1 / 16;
      }
    }
    return sam1Embedding(emb);
  }

  private inside(label: number, target: number): boolean {
    for (let l = label; l > 0; l = (this.regions[l - 1].parent ?? -1) + 1) if (l === target) return true;
    return false;
  }

  async runDecoder(embedded: ImageEmbedding, feeds: DecoderFeeds): Promise<DecoderOutput> {
    this.decoderRuns++;
    const embedding = imageFeatures(embedded).data;
    // a box prompt (corners labelled 2 and 3) asks for the region at the box's centre
    const box = feeds.pointLabels[0] === 2 && feeds.pointLabels[1] === 3;
    const px = box ? (feeds.pointCoords[0] + feeds.pointCoords[2]) / 2 : feeds.pointCoords[0];
    const py = box ? (feeds.pointCoords[1] + feeds.pointCoords[3]) / 2 : feeds.pointCoords[1];
    const lx = Math.min(LOW_RES_SIZE - 1, Math.floor(px / 4));
    const ly = Math.min(LOW_RES_SIZE - 1, Math.floor(py / 4));
    const target = embedding[LABELS_AT + ly * LOW_RES_SIZE + lx];
    const lowResMasks = new Float32Array(LOW_RES_SIZE * LOW_RES_SIZE); // float32[1,1,256,256]
    for (let i = 0; i < lowResMasks.length; i++) {
      const label = embedding[LABELS_AT + i];
      lowResMasks[i] = (target > 0 ? this.inside(label, target) : label === 0) ? 8 : -8;
    }
    return { iouPredictions: new Float32Array([target > 0 ? 0.95 : 0.3]), lowResMasks, numMasks: 1 };
  }

  async release(): Promise<void> {
    this.released = true;
  }
}
