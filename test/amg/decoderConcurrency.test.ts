import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../core/image';
import { generateMasks } from '../../core/amg/generateMasks';
import type { DecoderOutput } from '../../core/model/SamModel';
import type { DecoderFeeds, Frame, ImageEmbedding } from '../../core/types';
import { ColorRegionModel, type ColorRegion } from './ColorRegionModel';

/** ColorRegionModel that says it runs `concurrency` decodes at once, and records how many overlap. */
class ConcurrentColorRegionModel extends ColorRegionModel {
  inFlight = 0;
  maxInFlight = 0;
  readonly clicks: number[][] = [];
  constructor(
    regions: readonly ColorRegion[],
    readonly decoderConcurrency: number,
  ) {
    super(regions);
  }
  override async runDecoder(embedding: ImageEmbedding, feeds: DecoderFeeds): Promise<DecoderOutput> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.clicks.push([feeds.pointCoords[0], feeds.pointCoords[1]]);
    await new Promise((r) => setTimeout(r, Math.random() * 4)); // runs finish in varying order
    try {
      return await super.runDecoder(embedding, feeds);
    } finally {
      this.inFlight--;
    }
  }
}

const W = 600;
const H = 400;
async function scene(): Promise<Frame> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="rgb(90,90,90)"/>
    <rect x="60" y="50" width="300" height="300" fill="rgb(200,180,20)" shape-rendering="crispEdges"/>
    <rect x="140" y="130" width="120" height="120" fill="rgb(20,160,200)" shape-rendering="crispEdges"/>
    <rect x="400" y="60" width="150" height="100" fill="rgb(30,200,40)" shape-rendering="crispEdges"/></svg>`;
  return decodeImage(await sharp(Buffer.from(svg)).png().toBuffer(), { id: 'scene' });
}
const REGIONS: ColorRegion[] = [{ rgb: [200, 180, 20] }, { rgb: [20, 160, 200], parent: 0 }, { rgb: [30, 200, 40] }];

describe('generateMasks with a model that decodes several prompts at once', () => {
  it('exhaustive: keeps two groups of `decoderConcurrency` decodes in flight and returns the same records as one at a time', async () => {
    const frame = await scene();
    const one = new ConcurrentColorRegionModel(REGIONS, 1);
    const two = new ConcurrentColorRegionModel(REGIONS, 2);
    const a = await generateMasks(one, frame, { pointsPerSide: 8 });
    const b = await generateMasks(two, frame, { pointsPerSide: 8 });
    // the next group goes to the decoder before the last one's masks are scored
    expect(one.maxInFlight).toBe(2);
    expect(two.maxInFlight).toBe(4);
    expect(two.decoderRuns).toBe(64);
    expect(two.clicks).toEqual(one.clicks); // same points, same order of issue
    expect(b).toEqual(a);
    expect(b).toHaveLength(3);
  });

  it('skipCovered: the points decoded depend on the group size only, not on timing', async () => {
    const frame = await scene();
    const runs: number[][][] = [];
    for (let i = 0; i < 2; i++) {
      const m = new ConcurrentColorRegionModel(REGIONS, 2);
      const records = await generateMasks(m, frame, { pointsPerSide: 16, skipCovered: true });
      expect(records).toHaveLength(3);
      expect(m.maxInFlight).toBe(4);
      expect(m.decoderRuns).toBeLessThan(128);
      runs.push(m.clicks);
    }
    expect(runs[1]).toEqual(runs[0]);
  });

  it('a decode that fails rejects the run with its error, after the group still in flight has finished (no stray rejection)', async () => {
    const frame = await scene();
    class FailingModel extends ConcurrentColorRegionModel {
      calls = 0;
      override async runDecoder(embedding: ImageEmbedding, feeds: DecoderFeeds): Promise<DecoderOutput> {
        const n = ++this.calls;
        const out = await super.runDecoder(embedding, feeds);
        if (n === 5 || n === 7) throw new Error(`decoder failed on run ${n}`);
        return out;
      }
    }
    const m = new FailingModel(REGIONS, 2);
    await expect(generateMasks(m, frame, { pointsPerSide: 8 })).rejects.toThrow(/decoder failed on run 5/);
    expect(m.inFlight).toBe(0);
    expect(m.calls).toBeLessThanOrEqual(8); // nothing was sent after the failure was seen
  });
});
