import { describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { trackMasks } from '../../core/stream/trackMasks';
import type { TrackedFrame } from '../../core/stream/TrackTypes';
import { SamTransform } from '../../core/geometry/SamTransform';
import type { EmbeddedFrame } from '../../core/types';
import { FakeSamModel, settle, testFrame, waitFor } from '../operators/FakeSamModel';
import { sam1Embedding } from '../support/sam1Embedding';

function embedded(id: string): EmbeddedFrame {
  return { frame: testFrame(id), embedding: sam1Embedding(), transform: new SamTransform(1024, 768), modelId: 'fake' };
}

/** Pushes frames one by one, waiting for each output (so the test can change the fake between frames). */
async function drive(frames: Subject<EmbeddedFrame>, got: TrackedFrame[], id: string): Promise<TrackedFrame> {
  const n = got.length;
  frames.next(embedded(id));
  await waitFor(() => got.length === n + 1);
  return got[n];
}

describe('trackMasks (fake decoder: a disc of radius 160 px at the box centre)', () => {
  it('carries the box of the mask at t (grown by boxMargin) as the prompt at t+1, with a stable id', async () => {
    const model = new FakeSamModel('auto');
    const frames = new Subject<EmbeddedFrame>();
    const got: TrackedFrame[] = [];
    frames.pipe(trackMasks(model, { objects: [{ id: 'ball', box: [400, 300, 600, 500] }], boxMargin: 0.1, promptMode: 'box' })).subscribe((t) => got.push(t));
    const t0 = await drive(frames, got, 'f0');
    const o = t0.objects[0];
    expect([o.objectId, o.state]).toEqual(['ball', 'tracked']);
    // disc centre (500,400), radius 160 → box ≈ [340,240,660,560] (±2 px of bilinear edge)
    o.box!.forEach((v, i) => expect(Math.abs(v - [340, 240, 660, 560][i])).toBeLessThanOrEqual(2));
    await drive(frames, got, 'f1');
    const feeds = model.decodedFeeds[1];
    expect(Array.from(feeds.pointLabels)).toEqual([2, 3]);
    const grown = [340 - 32, 240 - 32, 660 + 32, 560 + 32];
    Array.from(feeds.pointCoords).forEach((v, i) => expect(Math.abs(v - grown[i])).toBeLessThanOrEqual(3));
    expect(feeds.hasMaskInput[0]).toBe(0); // promptMode 'box': no mask input
  });

  it("'box+mask' feeds the previous low-res logits back; 'box+point' adds a click at the mask peak", async () => {
    for (const promptMode of ['box+mask', 'box+point'] as const) {
      const model = new FakeSamModel('auto');
      const frames = new Subject<EmbeddedFrame>();
      const got: TrackedFrame[] = [];
      frames.pipe(trackMasks(model, { objects: [{ id: 1, box: [400, 300, 600, 500] }], promptMode })).subscribe((t) => got.push(t));
      await drive(frames, got, 'f0');
      await drive(frames, got, 'f1');
      const feeds = model.decodedFeeds[1];
      if (promptMode === 'box+mask') {
        expect(feeds.hasMaskInput[0]).toBe(1);
        expect(feeds.maskInput[100 * 256 + 125]).toBe(8); // inside the previous disc (centre 125,100 in low-res)
      } else {
        expect(feeds.numPoints).toBe(3);
        expect(feeds.pointLabels[0]).toBe(1);
        // the click lies inside the previous disc
        expect(Math.hypot(feeds.pointCoords[0] - 500, feeds.pointCoords[1] - 400)).toBeLessThan(160);
      }
    }
  });

  it('emits lost when the predicted IoU collapses and found when it recovers', async () => {
    const model = new FakeSamModel('auto');
    const frames = new Subject<EmbeddedFrame>();
    const got: TrackedFrame[] = [];
    frames.pipe(trackMasks(model, { objects: [{ id: 'a', box: [400, 300, 600, 500] }], minPredictedIou: 0.5 })).subscribe((t) => got.push(t));
    await drive(frames, got, 'f0');
    model.predictedIou = 0.2;
    const t1 = await drive(frames, got, 'f1');
    const t2 = await drive(frames, got, 'f2');
    model.predictedIou = 0.9;
    const t3 = await drive(frames, got, 'f3');
    expect(t1.events).toEqual([{ type: 'lost', objectId: 'a', frameId: 'f1', reason: 'low predicted IoU 0.20 < 0.5' }]);
    expect(t1.objects[0]).toMatchObject({ state: 'lost', framesLost: 1 });
    expect(t1.objects[0].mask).toBeUndefined();
    expect(t2.events).toEqual([]);
    expect(t2.objects[0].framesLost).toBe(2);
    expect(t3.events).toEqual([{ type: 'found', objectId: 'a', frameId: 'f3', reason: 'last box' }]);
    expect(t3.objects[0].state).toBe('tracked');
  });

  it('re-prompts a lost object from the detector box that overlaps its last box', async () => {
    const model = new FakeSamModel('auto');
    const frames = new Subject<EmbeddedFrame>();
    const got: TrackedFrame[] = [];
    const detector = () =>
      [
        [10, 10, 50, 50],
        [450, 350, 750, 650],
      ] as const;
    frames.pipe(trackMasks(model, { objects: [{ id: 'a', box: [400, 300, 600, 500] }], detector })).subscribe((t) => got.push(t));
    await drive(frames, got, 'f0');
    model.predictedIou = 0.1;
    await drive(frames, got, 'f1');
    model.predictedIou = 0.9;
    const t2 = await drive(frames, got, 'f2');
    expect(t2.events[0]).toMatchObject({ type: 'found', reason: 'detector box' });
    // the fake drew the disc at the detector box's centre (600,500), grown box keeps the centre
    const feeds = model.decodedFeeds[2];
    expect((feeds.pointCoords[0] + feeds.pointCoords[2]) / 2).toBeCloseTo(600, 0);
  });

  it('errors on a failing decoder; unsubscribing starts no further decode', async () => {
    const bad = new FakeSamModel('auto');
    bad.failDecoder = new Error('decoder down');
    const frames = new Subject<EmbeddedFrame>();
    let err: unknown;
    frames.pipe(trackMasks(bad, { objects: [{ id: 1, box: [0, 0, 10, 10] }] })).subscribe({ error: (e: unknown) => (err = e) });
    frames.next(embedded('f0'));
    await waitFor(() => err !== undefined);
    expect(String(err)).toContain('decoder down');

    const model = new FakeSamModel('manual');
    const src = new Subject<EmbeddedFrame>();
    const sub = src
      .pipe(
        trackMasks(model, {
          objects: [
            { id: 1, box: [0, 0, 100, 100] },
            { id: 2, box: [200, 200, 300, 300] },
          ],
        }),
      )
      .subscribe();
    src.next(embedded('f0'));
    await waitFor(() => model.pendingDecoderCalls === 1);
    sub.unsubscribe();
    model.settleDecoder();
    await settle(20);
    expect(model.decoderCalls).toBe(1);
  });

  it('refuses a start without objects or with duplicate ids', () => {
    const model = new FakeSamModel('auto');
    expect(() => trackMasks(model, { objects: [] })).toThrow(/at least one/);
    expect(() =>
      trackMasks(model, {
        objects: [
          { id: 1, box: [0, 0, 1, 1] },
          { id: 1, box: [0, 0, 1, 1] },
        ],
      }),
    ).toThrow(/unique/);
  });
});
