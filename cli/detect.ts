/**
 * `samflow detect <image> [--classes cat,dog] [--min-score S] [--max N] [--backend B] [--detector PATH] [--json]`:
 * the built-in offline COCO-80 detector; prints detections in the coco-ssd format.
 */
import { loadCocoDetector, type DetectorBackendRequest, type Detection, type DetectOptions, DEFAULT_DETECT_OPTIONS, validateDetectOptions, decodeImage } from '../core';
import { UsageError, getFlag, getList, getNumber, getString, parseArgs, type OptionSpec, type ParsedArgs } from './args';
import type { CliIo } from './CliCommand';

/** Detector flags shared by `detect`, `instances` and `text`. */
export const DETECTOR_FLAGS: Readonly<Record<string, OptionSpec>> = {
  classes: { kind: 'list' },
  'min-score': { kind: 'number', min: 0, max: 1 },
  backend: { kind: 'string' },
  detector: { kind: 'string' },
};

export const DETECTOR_USAGE = '[--classes cat,dog] [--min-score S] [--backend auto|wasm|cpu|tfjs-node] [--detector MODEL.json]';

const BACKENDS = ['auto', 'wasm', 'cpu', 'tfjs-node'] as const;

/** --backend and --detector → loadCocoDetector options. */
export function detectorLoadOptionsFrom(a: ParsedArgs): { backend?: DetectorBackendRequest; modelPath?: string } {
  const backend = getString(a, 'backend');
  if (backend !== undefined && !(BACKENDS as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got "${backend}"`);
  }
  const modelPath = getString(a, 'detector');
  return {
    ...(backend !== undefined ? { backend: backend as DetectorBackendRequest } : {}),
    ...(modelPath !== undefined ? { modelPath } : {}),
  };
}

/** --classes (repeatable, comma-separated) and --min-score → DetectOptions. */
export function detectOptionsFrom(a: ParsedArgs): DetectOptions {
  const classes = getList(a, 'classes')
    .flatMap((c) => c.split(','))
    .map((c) => c.trim())
    .filter((c) => c !== '');
  const minScore = getNumber(a, 'min-score');
  const opts = { ...(classes.length ? { classes } : {}), ...(minScore !== undefined ? { minScore } : {}) };
  validateDetectOptions(opts); // unknown class names fail before any image or model work
  return opts;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** coco-ssd detections with the numbers rounded for printing (0.01 px, 4 decimals of score). */
export function roundDetection(d: Detection): Detection {
  return { bbox: [round(d.bbox[0], 2), round(d.bbox[1], 2), round(d.bbox[2], 2), round(d.bbox[3], 2)], class: d.class, score: round(d.score, 4) };
}

export const usage = `usage: samflow detect <image> ${DETECTOR_USAGE} [--max N] [--json]
  Runs the offline COCO-80 detector (centernet from @vladmandic/human, tfjs; tfjs-node when installed, else wasm).
  --classes    keep only these COCO class names (comma-separated or repeated)
  --min-score  keep detections scoring at least S (default ${DEFAULT_DETECT_OPTIONS.minScore}; this model scores low)
  --max        at most N detections (default ${DEFAULT_DETECT_OPTIONS.maxDetections})
  --json       the coco-ssd array [{"bbox":[x,y,w,h],"class","score"}] in image pixels`;

const FLAGS = { ...DETECTOR_FLAGS, max: { kind: 'integer', min: 1 }, json: { kind: 'boolean' }, 'max-pixels': { kind: 'number', min: 0, minExclusive: true } } as const;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseArgs(argv, FLAGS);
  if (a.positionals.length !== 1) throw new UsageError('give exactly one image');
  const image = a.positionals[0];
  const opts = detectOptionsFrom(a);
  const max = getNumber(a, 'max');
  const maxPixels = getNumber(a, 'max-pixels');
  const loadOpts = detectorLoadOptionsFrom(a);
  const frame = await decodeImage(image, maxPixels !== undefined ? { maxPixels } : {});
  const detector = await loadCocoDetector(loadOpts);
  try {
    const t0 = performance.now();
    const detections = (await detector.detect(frame, { ...opts, ...(max !== undefined ? { maxDetections: max } : {}) })).map(roundDetection);
    const ms = performance.now() - t0;
    if (getFlag(a, 'json')) {
      io.stdout(JSON.stringify(detections) + '\n');
    } else {
      io.stdout(`${image}: ${frame.width}x${frame.height}, ${detections.length} detection(s) in ${ms.toFixed(0)} ms (${detector.backend})\n`);
      for (const d of detections) {
        io.stdout(`  ${d.class.padEnd(14)} ${d.score.toFixed(2)}  [${d.bbox.map((v) => v.toFixed(0)).join(', ')}]\n`);
      }
    }
    return 0;
  } finally {
    await detector.release();
  }
}
