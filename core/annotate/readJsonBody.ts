import type { IncomingMessage } from 'node:http';
import { DEFAULT_LIMITS } from '../limits';
import { AnnotateHttpError } from './AnnotateHttpError';

/** Default limit for JSON request bodies: 1 MB (DEFAULT_LIMITS.maxBodyBytes). */
export const DEFAULT_MAX_BODY_BYTES = DEFAULT_LIMITS.maxBodyBytes;

/** A request as seen by plain node:http or by express (which may already have parsed the body). */
export type AnnotateRequest = IncomingMessage & { body?: unknown; originalUrl?: string };

/**
 * Read a JSON object body, refusing bodies over `maxBytes` (413) and anything that is not a JSON
 * object (400). When a framework already parsed the body (express `json()`), that object is used.
 */
export async function readJsonBody(req: AnnotateRequest, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  if (req.body !== undefined && req.readableEnded) {
    if (typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body)) return req.body as Record<string, unknown>;
    throw new AnnotateHttpError(400, 'BAD_OPTION', 'request body: expected a JSON object');
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw new AnnotateHttpError(413, 'BAD_OPTION', `request body: ${declared} bytes is over the limit of ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(new AnnotateHttpError(413, 'BAD_OPTION', `request body: over the limit of ${maxBytes} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve());
    req.on('error', reject);
  });
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AnnotateHttpError(400, 'BAD_OPTION', 'request body: not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AnnotateHttpError(400, 'BAD_OPTION', 'request body: expected a JSON object');
  }
  return parsed as Record<string, unknown>;
}
