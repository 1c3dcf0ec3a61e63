import { DEFAULT_LIMITS } from '../limits';
import { SamflowError } from '../errors';
import { SAM_TASKS, type SamJob, type SamJobFailure, type SamJobOptions, type SamJobPrompt, type SamJobResult, type SamTask } from './SamJob';
import { encodeWire, type WireMessage } from './wireFormat';

/** Most prompts one segment job may carry, and most detections one instances job may carry. */
export const MAX_JOB_PROMPTS = 1000;
const MAX_ID = 256;
/** Largest AMG grid a job may ask for (256² = 65 536 prompts per crop). */
export const MAX_POINTS_PER_SIDE = 256;

/** The header of a job message (the image is the body). */
export interface SamJobHeader {
  readonly kind: 'job';
  readonly id: string;
  readonly task: SamTask;
  /** Subject the worker publishes the result to. */
  readonly replyTo: string;
  readonly prompts?: readonly SamJobPrompt[];
  readonly detections?: SamJob['detections'];
  readonly options?: SamJobOptions;
  readonly source?: string;
  readonly body: 'image';
}

export function encodeJob(job: SamJob, replyTo: string): Uint8Array {
  const header: SamJobHeader = {
    kind: 'job',
    id: job.id,
    task: job.task,
    replyTo,
    ...(job.prompts ? { prompts: job.prompts } : {}),
    ...(job.detections ? { detections: job.detections } : {}),
    ...(job.options ? { options: job.options } : {}),
    ...(job.source !== undefined ? { source: job.source } : {}),
    body: 'image',
  };
  return encodeWire(header, job.image);
}

/** Checks the fields a client controls before a worker spends anything on them. */
export function checkJobShape(job: Pick<SamJob, 'id' | 'task' | 'prompts' | 'detections' | 'options'>, what: string): void {
  const bad = (why: string): SamflowError => new SamflowError('BAD_OPTION', `${what}: ${why}`, what);
  if (typeof job.id !== 'string' || job.id.length === 0 || job.id.length > MAX_ID) throw bad(`job id must be a string of 1-${MAX_ID} characters`);
  if (!SAM_TASKS.includes(job.task)) throw bad(`task must be one of ${SAM_TASKS.join(', ')}, got ${JSON.stringify(job.task)}`);
  if (job.prompts !== undefined && !Array.isArray(job.prompts)) throw bad('prompts must be an array of {points?, box?}');
  if ((job.prompts?.length ?? 0) > MAX_JOB_PROMPTS) throw bad(`at most ${MAX_JOB_PROMPTS} prompts per job, got ${job.prompts!.length}`);
  if (job.task === 'segment' && !(job.prompts && job.prompts.length > 0))
    throw new SamflowError('BAD_PROMPT', `${what}: a segment job needs at least one prompt {points?, box?}`, what);
  if (job.detections !== undefined && !Array.isArray(job.detections)) throw bad('detections must be an array of boxes');
  if ((job.detections?.length ?? 0) > MAX_JOB_PROMPTS) throw bad(`at most ${MAX_JOB_PROMPTS} detections per job, got ${job.detections!.length}`);
  if (job.options !== undefined && (typeof job.options !== 'object' || job.options === null || Array.isArray(job.options))) throw bad('options must be an object');
  // sizes a job controls, bounded before a worker allocates anything for them
  const o = job.options ?? {};
  const within = (k: keyof SamJobOptions, min: number, max: number): void => {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max))
      throw bad(`options.${String(k)} must be a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
  };
  within('pointsPerSide', 1, MAX_POINTS_PER_SIDE);
  within('pointsPerBatch', 1, 4096);
  within('cropNLayers', 0, 4);
  within('maxProposals', 0, 100_000);
  within('maxInstances', 1, MAX_JOB_PROMPTS);
  // generateMasks' own limit (maxPromptsPerMessage), checked here before the image is decoded
  if (o.promptBoxes !== undefined && (!Array.isArray(o.promptBoxes) || o.promptBoxes.length > DEFAULT_LIMITS.maxPromptsPerMessage)) {
    throw bad(`options.promptBoxes must be an array of at most ${DEFAULT_LIMITS.maxPromptsPerMessage} boxes [x0, y0, x1, y1]`);
  }
  if (o.pointGrids !== undefined) {
    if (!Array.isArray(o.pointGrids) || o.pointGrids.length > 5) throw bad('options.pointGrids must be an array of at most 5 grids');
    const grids: readonly unknown[] = o.pointGrids;
    const n = grids.reduce<number>((sum, g) => sum + (Array.isArray(g) ? (g as readonly unknown[]).length : Infinity), 0);
    if (!(n <= MAX_POINTS_PER_SIDE ** 2)) throw bad(`options.pointGrids: at most ${MAX_POINTS_PER_SIDE ** 2} points in all`);
  }
}

/** A job header + body from the wire → a SamJob (shape checked) and where to reply. */
export function decodeJob(msg: WireMessage, what: string): { job: SamJob; replyTo: string } {
  const h = msg.header as Partial<SamJobHeader>;
  if (h.kind !== 'job') throw new SamflowError('BAD_OPTION', `${what}: expected a job header, got kind ${JSON.stringify(h.kind)}`, what);
  if (typeof h.replyTo !== 'string') throw new SamflowError('BAD_OPTION', `${what}: job has no replyTo subject`, what);
  const job: SamJob = {
    id: h.id as string,
    task: h.task as SamTask,
    ...(h.prompts !== undefined ? { prompts: h.prompts } : {}),
    ...(h.detections !== undefined ? { detections: h.detections } : {}),
    ...(h.options !== undefined ? { options: h.options } : {}),
    ...(typeof h.source === 'string' ? { source: h.source } : {}),
    image: msg.body,
  };
  checkJobShape(job, what);
  return { job, replyTo: h.replyTo };
}

/** Result → wire: the edge map PNG (edges) is the body, everything else the header. */
export function encodeResult(result: SamJobResult): Uint8Array {
  if (result.ok && result.edgeMap) {
    const { edgeMap, ...rest } = result;
    return encodeWire({ kind: 'result', ...rest, body: 'png' }, edgeMap);
  }
  return encodeWire({ kind: 'result', ...result, body: 'none' });
}

export function decodeResult(msg: WireMessage, what: string): SamJobResult {
  const { kind, body, ...rest } = msg.header;
  if (kind !== 'result' || typeof rest.id !== 'string' || typeof rest.ok !== 'boolean') {
    throw new SamflowError('BAD_OPTION', `${what}: not a samflow result header`, what);
  }
  if (body === 'png') return { ...(rest as unknown as SamJobResult), edgeMap: new Uint8Array(msg.body) } as SamJobResult;
  return rest as unknown as SamJobResult;
}

/** An error result for a job (the worker's or the client's verdict). */
export function failure(job: Pick<SamJob, 'id' | 'task' | 'source'>, code: SamJobFailure['error']['code'], message: string, worker: string, attempt: number): SamJobFailure {
  return {
    id: job.id,
    task: job.task,
    ...(job.source !== undefined ? { source: job.source } : {}),
    ok: false,
    error: { code, message },
    worker,
    attempt,
    timings: {},
  };
}
