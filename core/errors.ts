/**
 * The one error type samflow throws for bad input, bad models and bad parameters.
 * `code` is stable for programs; `message` says which input, what was wrong and what to do.
 */
export type SamflowErrorCode =
  | 'BAD_IMAGE'
  | 'IMAGE_TOO_LARGE'
  | 'BAD_PROMPT'
  | 'BAD_OPTION'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_CHECKSUM'
  | 'MODEL_SIGNATURE'
  | 'MODEL_INVALID'
  | 'MODEL_RELEASED'
  | 'MODEL_WORKER_CRASHED'
  | 'SOURCE_FAILED'
  | 'NOT_AVAILABLE'
  /** A node dropped a waiting message under its drop policy (nodes' "Report dropped messages"). */
  | 'MESSAGE_DROPPED'
  /** A node was stopped (redeploy, config deleted) while a message waited in its queue. */
  | 'NODE_CLOSED';

export class SamflowError extends Error {
  override readonly name = 'SamflowError';
  constructor(
    readonly code: SamflowErrorCode,
    message: string,
    /** The file, URL or message field the error is about, when there is one. */
    readonly source?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isSamflowError(e: unknown): e is SamflowError {
  return e instanceof SamflowError;
}
