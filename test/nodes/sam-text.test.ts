import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLIP_IMAGE_SPEC, type ClipModel, type ClipTokens } from '../../core';
import { compressRle, maskToRle } from '../../core/masks';
import type { BinaryMask, MaskRecord } from '../../core/types';
import { catchNode, distClipLoader, distNode, helper, nextMessage, repoRoot } from './support/redHelper';

/**
 * A ClipModel test double with a known answer: the text "red" embeds to [1, 0], anything else to
 * [0, 1]; an image crop embeds to [1, 0] when its red channel outweighs its blue one, else [0, 1].
 */
class FakeClip implements ClipModel {
  readonly folder = 'fake';
  readonly imageSpec = CLIP_IMAGE_SPEC;
  released = false;
  releaseCalls = 0;
  async tokenize(): Promise<ClipTokens> {
    return { inputIds: new BigInt64Array(1), attentionMask: new BigInt64Array(1), batch: 1, length: 1 };
  }
  async embedTexts(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => Float32Array.from(t.includes('red') ? [1, 0] : [0, 1]));
  }
  async embedImages(pixels: readonly Float32Array[]): Promise<Float32Array[]> {
    return pixels.map((p) => {
      const plane = p.length / 3;
      let r = 0;
      let b = 0;
      for (let i = 0; i < plane; i++) {
        r += p[i] * this.imageSpec.std[0] + this.imageSpec.mean[0];
        b += p[2 * plane + i] * this.imageSpec.std[2] + this.imageSpec.mean[2];
      }
      return Float32Array.from(r > b ? [1, 0] : [0, 1]);
    });
  }
  async release(): Promise<void> {
    this.releaseCalls++;
    this.released = true;
  }
}

const W = 320;
const H = 240;
function shapeMask(inside: (x: number, y: number) => boolean): BinaryMask {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = inside(x, y) ? 1 : 0;
  return { width: W, height: H, data };
}
function recordOf(m: BinaryMask, iou: number): MaskRecord {
  return { segmentation: compressRle(maskToRle(m)), area: 0, bbox: [0, 0, 1, 1], predicted_iou: iou, point_coords: [], stability_score: 1, crop_box: [0, 0, W, H] };
}

describe('sam-text (fake CLIP)', () => {
  const loader = distClipLoader();
  const realLoad = loader.load;
  let clip: FakeClip;
  const sample = fs.readFileSync(path.join(repoRoot, 'flows', 'assets', 'sample.png'));
  // the sample image: red disc at (90, 120) r 50, blue square 170..250 × 60..140 (flows/assets/makeSample.js)
  const disc = recordOf(
    shapeMask((x, y) => (x - 90) ** 2 + (y - 120) ** 2 <= 2500),
    0.8,
  );
  const square = recordOf(
    shapeMask((x, y) => x >= 170 && x < 250 && y >= 60 && y < 140),
    0.9,
  );

  beforeAll(() => helper.startServer());
  afterAll(() => helper.stopServer());
  beforeEach(() => {
    clip = new FakeClip();
    loader.load = async () => clip;
  });
  afterEach(async () => {
    await helper.unload();
    loader.load = realLoad;
  });

  it('keeps the mask matching the text, with its similarity; releases CLIP on close', async () => {
    await helper.load(
      [distNode('sam-text'), catchNode],
      [
        { id: 't', type: 'sam-text', topK: '1', wires: [['o']] },
        { id: 'o', type: 'helper' },
      ],
    );
    const out = nextMessage(helper.getNode('o'));
    helper.getNode('t').receive({ payload: sample, masks: [square, disc], text: 'the red thing' });
    const masks = (await out).masks as MaskRecord[];
    expect(masks).toHaveLength(1);
    expect(masks[0].segmentation).toEqual(disc.segmentation);
    expect(masks[0].meta).toEqual({ text: 'the red thing', similarity: 1 });
    await helper.unload();
    expect(clip.releaseCalls).toBe(1);
  });

  it('bad input → Catch: no text, no masks; CLIP missing → Catch names the folder', async () => {
    await helper.load(
      [distNode('sam-text'), catchNode],
      [
        { id: 't', type: 'sam-text', wires: [[]] },
        { id: 'c', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ],
    );
    let caught = nextMessage(helper.getNode('caught'));
    helper.getNode('t').receive({ payload: sample, masks: [disc] });
    expect(((await caught).error as { message: string }).message).toMatch(/msg\.text: missing/);
    caught = nextMessage(helper.getNode('caught'));
    helper.getNode('t').receive({ payload: sample, text: 'red' });
    expect(((await caught).error as { message: string }).message).toMatch(/msg\.masks: sam-text expects/);
    await helper.unload();
    loader.load = async () => {
      throw new Error('no CLIP files in /nowhere');
    };
    await helper.load(
      [distNode('sam-text'), catchNode],
      [
        { id: 't', type: 'sam-text', text: 'red', wires: [[]] },
        { id: 'c', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ],
    );
    caught = nextMessage(helper.getNode('caught'));
    helper.getNode('t').receive({ payload: sample, masks: [disc] });
    expect(((await caught).error as { message: string }).message).toMatch(/CLIP could not be loaded \(no CLIP files in \/nowhere\)/);
  });
});
