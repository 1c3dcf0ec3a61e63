/**
 * trackMasks with the real model on the first 10 frames of DAVIS 'blackswan', started from the
 * ground-truth box of frame 0: mean J (IoU vs ground truth) over frames 1–9 must be ≥ 0.6.
 * Skipped when ../shared/data/davis is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import { loadSamModel } from '../../core/model/loadSamModel';
import type { SamModel } from '../../core/model/SamModel';
import { encodeImage } from '../../core/operators/encodeImage';
import { fromImageFiles } from '../../core/stream/fromImageFiles';
import { trackMasks } from '../../core/stream/trackMasks';
import { maskIou } from '../../core/masks/maskIou';
import { gtBox, loadGtMask } from '../../bench/track';
import type { BinaryMask, EmbeddedFrame } from '../../core/types';
import { hasSharedData, sharedDataRoot } from '../support/sharedData';

const davis = path.join(sharedDataRoot, 'davis');
const seq = 'blackswan';
const have = hasSharedData(path.join('davis/JPEGImages/480p', seq));

describe.skipIf(!have)('trackMasks on DAVIS blackswan (real model)', () => {
  let model: SamModel;
  let embedded: EmbeddedFrame[];
  let gts: BinaryMask[];
  beforeAll(async () => {
    model = await loadSamModel();
    const files = fs
      .readdirSync(path.join(davis, 'JPEGImages/480p', seq))
      .sort()
      .slice(0, 10)
      .map((f) => path.join(davis, 'JPEGImages/480p', seq, f));
    embedded = await lastValueFrom(fromImageFiles(files).pipe(encodeImage(model), toArray()));
    gts = await Promise.all(files.map((f) => loadGtMask(f.replace('JPEGImages', 'Annotations').replace(/\.jpg$/, '.png'))));
  }, 900_000); // 10 encodes: ~10 s on 2 idle cores, minutes on a loaded machine
  afterAll(async () => {
    await model?.release();
  });

  it('follows the swan from its ground-truth box with mean J ≥ 0.6 and a stable id', async () => {
    const out = await lastValueFrom(from(embedded).pipe(trackMasks(model, { objects: [{ id: 'swan', box: gtBox(gts[0]) }] }), toArray()));
    expect(out).toHaveLength(10);
    let sum = 0;
    for (let t = 1; t < 10; t++) {
      const o = out[t].objects[0];
      expect(o.objectId).toBe('swan');
      sum += o.mask ? maskIou(o.mask, gts[t]) : 0;
    }
    expect(sum / 9).toBeGreaterThanOrEqual(0.6);
  });
});
