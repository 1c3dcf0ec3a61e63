/**
 * Records, once per photo, what a `skipCovered` rule needs to be replayed offline (see
 * bench/amgReplay.ts): every grid point's 3 decoded masks of the exhaustive 32×32 AMG (predicted
 * IoU, stability, box, logits at every grid point, which exhaustive records it matches at IoU >= 0.9)
 * and the same for the COCO detector's boxes as prompts. Heavy (one exhaustive decode per photo):
 * `node dist/bench/amgReplayRecord.js [photo,...]`, cache in $SAMFLOW_AMG_REPLAY_DIR (default
 * /tmp/i15-replay). Not a benchmark module (no `run`); bench/main.ts skips it.
 */
import {
  imageFeatures,
  decodeImage,
  loadSamModel,
  decodeMasks,
  encodeImage,
  logitsToMask,
  nonMaxSuppression,
  buildPointGrid,
  candidateStability,
  candidateBoxXyxy,
  gridLowResIndex,
  AMG_DEFAULTS,
  loadCocoDetector,
  type BinaryMask,
  type BoxXyxy,
  type MaskCandidate,
} from '../core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { amgDecoderWorkers } from '../cli/modelOptions';
import { REPLAY_PHOTOS, replayDir, type ReplayCandidate, type ReplayPhoto } from './amgReplayData';

function area(m: BinaryMask): number {
  let a = 0;
  for (let i = 0; i < m.data.length; i++) a += m.data[i];
  return a;
}
function iou(a: BinaryMask, b: BinaryMask): number {
  let inter = 0;
  let uni = 0;
  const da = a.data;
  const db = b.data;
  for (let i = 0; i < da.length; i++) {
    const x = da[i];
    const y = db[i];
    inter += x & y;
    uni += x | y;
  }
  return uni === 0 ? 0 : inter / uni;
}

async function main(): Promise<void> {
  const dataDir = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'photos');
  const photosDir = fs.existsSync(dataDir) ? dataDir : '/work/shared/data/photos';
  const names = process.argv[2] ? process.argv[2].split(',') : REPLAY_PHOTOS;
  const out = replayDir();
  fs.mkdirSync(out, { recursive: true });
  const model = await loadSamModel({ decoderWorkers: amgDecoderWorkers() });
  let detector: Awaited<ReturnType<typeof loadCocoDetector>> | undefined;
  try {
    if (process.env['SAMFLOW_AMG_REPLAY_NO_DETECTOR'] !== '1') detector = await loadCocoDetector();
  } catch (e) {
    console.error('no detector:', (e as Error).message);
  }
  try {
    for (const name of names) {
      const slug = name.replace(/[^A-Za-z0-9_.-]/g, '_');
      const dir = path.join(out, slug);
      if (fs.existsSync(path.join(dir, 'photo.json'))) {
        console.error(`${name}: cached`);
        continue;
      }
      fs.mkdirSync(dir, { recursive: true });
      const frame = await decodeImage(path.join(photosDir, name));
      const t0 = performance.now();
      const embedded = await encodeImage(model, frame);
      const grid = buildPointGrid(AMG_DEFAULTS.pointsPerSide);
      const points = grid.map((p) => [p[0] * frame.width, p[1] * frame.height] as const);
      const n = points.length;
      const lowIdx = gridLowResIndex(embedded.transform, points);
      const raw: { k: number; c: MaskCandidate }[] = [];
      const inFlight = 4;
      for (let s = 0; s < n; s += inFlight) {
        const ks = Array.from({ length: Math.min(inFlight, n - s) }, (_, i) => s + i);
        const res = await Promise.all(ks.map((k) => decodeMasks(model, embedded, { points: [{ x: points[k][0], y: points[k][1], label: 1 }] }, { multimask: true })));
        ks.forEach((k, i) => res[i].forEach((c) => raw.push({ k, c: { ...c, lowResLogits: Float32Array.from(c.lowResLogits) } })));
      }
      const decodeSeconds = (performance.now() - t0) / 1000;
      const gridLogits = new Float32Array(raw.length * n); // float32[nCandidates, nPoints]
      const cands: ReplayCandidate[] = raw.map(({ k, c }, ci) => {
        for (let q = 0; q < n; q++) gridLogits[ci * n + q] = c.lowResLogits[lowIdx[q]];
        const stab = candidateStability(c, AMG_DEFAULTS.stabilityScoreOffset);
        const pass = c.predictedIou > AMG_DEFAULTS.predIouThresh && stab >= AMG_DEFAULTS.stabilityScoreThresh;
        return { k, t: c.maskIndex, iou: c.predictedIou, stab, pass, box: [...candidateBoxXyxy(c)], matches: [] };
      });
      // exhaustive result: SAM's order (grid point, then token), box NMS on predicted IoU
      const passing = cands.map((c, i) => ({ c, i })).filter((x) => x.c.pass);
      const keep = nonMaxSuppression(
        passing.map((x) => candidateBoxXyxy(raw[x.i].c)),
        passing.map((x) => x.c.iou),
        AMG_DEFAULTS.boxNmsThresh,
      );
      const records = keep.map((j) => passing[j].i);
      const recordMasks = records.map((i) => logitsToMask(raw[i].c.lowResLogits, embedded.transform));
      const recordAreas = recordMasks.map(area);
      /** The exhaustive records a candidate's mask overlaps at mask IoU >= minIou: [record index, IoU]. */
      const overlaps = (c: MaskCandidate, minIou: number): [number, number][] => {
        const m = logitsToMask(c.lowResLogits, embedded.transform);
        const a = area(m);
        const out: [number, number][] = [];
        recordMasks.forEach((r, ri) => {
          const ra = recordAreas[ri];
          if (a < minIou * ra || ra < minIou * a) return; // IoU >= t needs the areas within a factor t
          const v = iou(m, r);
          if (v >= minIou) out.push([ri, v]);
        });
        return out;
      };
      const matchesOf = (o: readonly [number, number][]): number[] => o.filter(([, v]) => v >= 0.9).map(([ri]) => ri);
      // every candidate's overlap with the exhaustive records (for replays of relaxed filters); the
      // passing ones' matches at IoU >= 0.9 come from the same masks
      cands.forEach((c, ci) => {
        const o = overlaps(raw[ci].c, 0.75);
        c.near = o.map(([ri, v]) => [ri, Math.round(v * 1000) / 1000]);
        if (c.pass) c.matches = matchesOf(o);
      });
      // detector boxes as prompts: the single mask (SAM's rule for a box) and the 3 multimask outputs
      const boxCands: ReplayCandidate[] = [];
      const boxLogits: number[] = [];
      const detections = detector ? await detector.detect(frame, { minScore: 0.05, maxDetections: 100 }) : [];
      for (let b = 0; b < detections.length; b++) {
        const [x, y, w, h] = detections[b].bbox;
        const box: BoxXyxy = [x, y, x + w, y + h];
        const cs = [...(await decodeMasks(model, embedded, { box }, { multimask: false })), ...(await decodeMasks(model, embedded, { box }, { multimask: true }))];
        for (const c of cs) {
          const stab = candidateStability(c, AMG_DEFAULTS.stabilityScoreOffset);
          const pass = c.predictedIou > AMG_DEFAULTS.predIouThresh && stab >= AMG_DEFAULTS.stabilityScoreThresh;
          const own = { ...c, lowResLogits: Float32Array.from(c.lowResLogits) };
          for (let q = 0; q < n; q++) boxLogits.push(own.lowResLogits[lowIdx[q]]);
          boxCands.push({ k: -1 - b, t: c.maskIndex, iou: c.predictedIou, stab, pass, box: [...candidateBoxXyxy(own)], matches: matchesOf(overlaps(own, 0.9)) });
        }
      }
      const photo: ReplayPhoto = {
        name,
        width: frame.width,
        height: frame.height,
        decodeSeconds,
        points: points.map((p) => [p[0], p[1]]),
        cands,
        records,
        detections: detections.map((d) => ({ bbox: [...d.bbox], class: d.class, score: d.score })),
        boxCands,
      };
      fs.writeFileSync(path.join(dir, 'gridLogits.f32'), Buffer.from(gridLogits.buffer));
      fs.writeFileSync(path.join(dir, 'boxLogits.f32'), Buffer.from(Float32Array.from(boxLogits).buffer));
      const features = imageFeatures(embedded.embedding); // float32[1,256,64,64]
      fs.writeFileSync(path.join(dir, 'embedding.f32'), Buffer.from(features.data.buffer, features.data.byteOffset, features.data.byteLength));
      fs.writeFileSync(path.join(dir, 'photo.json'), JSON.stringify({ ...photo, embeddingDims: features.dims }));
      console.error(
        `${name}: ${frame.width}x${frame.height}, ${records.length} records, ${passing.length} passing of ${cands.length}, ${detections.length} detections, decode ${decodeSeconds.toFixed(1)} s`,
      );
    }
  } finally {
    await detector?.release();
    await model.release();
  }
}

if (require.main === module)
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
