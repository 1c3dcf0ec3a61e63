import { SamflowError, type SamflowErrorCode } from '../errors';

/**
 * A SamflowError that also carries the HTTP status the annotation server answers with
 * (403 for paths outside the folder, 404 for missing files, 413 for oversized bodies, ...).
 */
export class AnnotateHttpError extends SamflowError {
  constructor(
    readonly status: number,
    code: SamflowErrorCode,
    message: string,
    source?: string,
  ) {
    super(code, message, source);
  }
}
