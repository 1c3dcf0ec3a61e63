/**
 * `samflow annotate <folder> --out coco.json [--resume] [--sa1b-dir DIR] [AMG flags]`: the data engine's
 * automatic stage (every image → one COCO instances JSON). `--ui [--port P] [--host H]` serves the
 * model-assisted annotation page instead (core/annotate).
 */
import {
  annotateFolder,
  AUTOMATIC_MASKS,
  automaticMaskProposals,
  defaultProposalProviders,
  loadSamModel,
  startAnnotationServer,
  connectSamCluster,
  type SamCluster,
  clusterAnnotator,
  type SamModel,
  type ImageAnnotator,
} from '../core';
import { getFlag, getNumber, getString, parseArgs, UsageError, getOutputPath } from './args';
import type { CliIo } from './CliCommand';
import { MODEL_FLAGS, MODEL_USAGE, amgDecoderWorkers, modelOptionsFrom } from './modelOptions';
import { AMG_FLAGS, AMG_USAGE, amgOptionsFrom, progressReporter } from './everything';
import { CLUSTER_FLAGS, CLUSTER_USAGE, clusterOptionsFrom } from './clusterOptions';

export const usage = `usage: samflow annotate <folder> --out coco.json [--resume] [--sa1b-dir DIR] ${AMG_USAGE} ${MODEL_USAGE}
       samflow annotate <folder> --ui [--port P] [--host H] ${MODEL_USAGE}
  Automatic: segments every image of the folder into one COCO instances JSON (RLE), saved after
  each image; --resume skips images already in it; --sa1b-dir also writes one SA-1B JSON per image.
  --ui: serves the annotation page (model-assisted clicks, automatic proposals) on 127.0.0.1.
  --nats URL: the images go to the samflow workers of that NATS cluster (same output, same --resume)
       ${CLUSTER_USAGE}`;

const FLAGS = {
  ...MODEL_FLAGS,
  ...AMG_FLAGS,
  out: { kind: 'string' },
  resume: { kind: 'boolean' },
  'sa1b-dir': { kind: 'string' },
  ui: { kind: 'boolean' },
  port: { kind: 'integer', min: 0, max: 65535 },
  host: { kind: 'string' },
  ...CLUSTER_FLAGS,
} as const;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const a = parseArgs(argv, FLAGS);
  if (a.positionals.length !== 1) throw new UsageError('give exactly one folder');
  const folder = a.positionals[0];
  if (getFlag(a, 'ui')) return runUi(folder, a, io);
  const out = getOutputPath(a, 'out');
  if (out === undefined) throw new UsageError('--out coco.json is required (or --ui for the annotation page)');
  const amg = amgOptionsFrom(a);
  const clusterOptions = clusterOptionsFrom(a);
  let model: SamModel | undefined;
  let cluster: SamCluster | undefined;
  let annotator: SamModel | ImageAnnotator;
  if (clusterOptions) {
    cluster = await connectSamCluster(clusterOptions);
    annotator = clusterAnnotator(cluster, { amg, ...(clusterOptions.maxInFlight !== undefined ? { concurrency: clusterOptions.maxInFlight } : {}) });
  } else {
    model = await loadSamModel({ decoderWorkers: amgDecoderWorkers(), ...modelOptionsFrom(a) });
    annotator = model;
  }
  const ac = new AbortController();
  const onSigint = (): void => ac.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    let current = '';
    let progress = progressReporter(io, '');
    const sa1bDir = getString(a, 'sa1b-dir');
    const result = await annotateFolder(annotator, folder, {
      ...amg,
      out,
      resume: getFlag(a, 'resume'),
      ...(sa1bDir !== undefined ? { sa1bDir } : {}),
      signal: ac.signal,
      onProgress: (p) => {
        if (p.file !== current) {
          current = p.file;
          progress = progressReporter(io, `[${p.imagesDone + 1}/${p.imageCount}] ${p.file}`);
        }
        if (p.pointsTotal > 0) progress(p.pointsDone, p.pointsTotal, 'points');
      },
      onImageError: (file, e) => io.stderr(`annotate: skipped ${file}: ${e.message}\n`),
    });
    io.stderr(
      `annotate: ${result.imagesAnnotated} images annotated, ${result.imagesSkipped} already done, ${result.imagesFailed} unreadable; ` +
        `${result.annotations} annotations in ${out}\n`,
    );
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    await model?.release();
    await cluster?.close();
  }
}

async function runUi(folder: string, a: ReturnType<typeof parseArgs>, io: CliIo): Promise<number> {
  const port = getNumber(a, 'port');
  const host = getString(a, 'host');
  const amg = amgOptionsFrom(a);
  const model = await loadSamModel(modelOptionsFrom(a)); // clicks: one prompt at a time, fastest on the 2-thread session;
  const server = await startAnnotationServer({
    folder,
    model,
    ...(port !== undefined ? { port } : {}),
    ...(host !== undefined ? { host } : {}),
    // the page's default sources; AMG flags given on the command line tune the automatic masks
    proposals: Object.keys(amg).length ? { ...defaultProposalProviders(), [AUTOMATIC_MASKS]: automaticMaskProposals(amg) } : defaultProposalProviders(),
  });
  io.stdout(`annotation page: ${server.url}  (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await server.close();
  await model.release();
  return 0;
}
