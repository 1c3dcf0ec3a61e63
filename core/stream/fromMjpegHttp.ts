import * as http from 'node:http';
import * as https from 'node:https';
import { Observable } from 'rxjs';
import { SamflowError } from '../errors';
import { decodeImage } from '../image/decodeImage';
import type { Frame } from '../types';
import { reportSkipped, type ErrorPolicyOptions } from './SkippedItem';

export interface FromMjpegHttpOptions extends ErrorPolicyOptions {
  /** Extra request headers (e.g. Authorization). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Frame id prefix; ids are `${idPrefix}#${n}`. Default: the url. */
  readonly idPrefix?: string;
  /** Reconnect after the connection fails or ends: up to `retries` times, `delayMs` apart. */
  readonly reconnect?: { readonly retries: number; readonly delayMs: number };
  /** Largest accepted part in bytes (a lost boundary must not grow memory forever). Default 16 MiB. */
  readonly maxPartBytes?: number;
  /**
   * Longest wait for the next bytes (connecting, headers or body) before the connection counts as
   * stalled: it is closed, then reconnected (`reconnect`) or the stream errors with SOURCE_FAILED.
   * A camera that stops mid-part but keeps the socket open would otherwise hang for ever.
   * Default 10000 ms; 0 turns it off.
   */
  readonly readTimeoutMs?: number;
}

/** Default {@link FromMjpegHttpOptions.readTimeoutMs}. */
export const DEFAULT_MJPEG_READ_TIMEOUT_MS = 10_000;

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * Splits a multipart/x-mixed-replace body into its parts. Feed it chunks; it calls `onPart` with
 * each part's body. Uses Content-Length when a part has it, else the next boundary line.
 */
export class MultipartSplitter {
  private buf: Buffer = Buffer.alloc(0);
  private readonly delimiter: Buffer;
  constructor(
    boundary: string,
    private readonly onPart: (body: Buffer) => void,
    private readonly maxPartBytes = 16 * 1024 * 1024,
  ) {
    this.delimiter = Buffer.from(`--${boundary.replace(/^--/, '')}`);
  }

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const start = this.buf.indexOf(this.delimiter);
      if (start < 0) {
        this.trim();
        return;
      }
      const headEnd = this.buf.indexOf(CRLF2, start);
      if (headEnd < 0) {
        this.trim(start);
        return;
      }
      const head = this.buf.subarray(start + this.delimiter.length, headEnd).toString('latin1');
      const bodyStart = headEnd + 4;
      const len = /content-length:\s*(\d+)/i.exec(head);
      let bodyEnd: number;
      let next: number;
      if (len) {
        bodyEnd = bodyStart + Number(len[1]);
        if (this.buf.length < bodyEnd) {
          this.trim(start);
          return;
        }
        next = bodyEnd;
      } else {
        const d = this.buf.indexOf(this.delimiter, bodyStart);
        if (d < 0) {
          this.trim(start);
          return;
        }
        next = d;
        bodyEnd = d;
        // the CRLF before the delimiter belongs to the boundary line, not the body
        if (this.buf[bodyEnd - 2] === 13 && this.buf[bodyEnd - 1] === 10) bodyEnd -= 2;
      }
      const body = Buffer.from(this.buf.subarray(bodyStart, bodyEnd));
      this.buf = this.buf.subarray(next);
      this.onPart(body);
    }
  }

  private trim(from = 0): void {
    if (from > 0) this.buf = this.buf.subarray(from);
    if (this.buf.length > this.maxPartBytes) {
      throw new SamflowError('SOURCE_FAILED', `fromMjpegHttp: a part is larger than ${this.maxPartBytes} bytes or the boundary was lost`);
    }
  }
}

/**
 * Frames from an MJPEG-over-HTTP camera (`multipart/x-mixed-replace`, as IP cameras, ESP32-CAM
 * and mjpg-streamer serve), parsed natively over node:http — no ffmpeg needed.
 *
 * Like reading a flip-book page by page as it is being printed.
 *
 * ```
 * http body: --boundary|jpeg0|--boundary|jpeg1|--boundary|garbage|--boundary|jpeg3 ...
 * output:    -----F0-----------F1-------------------------------F3 ...   (garbage reported when onError 'skip')
 * ```
 *
 * ## Example
 * ```ts
 * import { fromMjpegHttp, operators, loadSamModel } from 'samflow';
 * const model = await loadSamModel();
 * fromMjpegHttp('http://192.168.1.30:8080/?action=stream', { onError: 'skip', reconnect: { retries: 100, delayMs: 2000 } })
 *   .pipe(operators.encodeImage(model, { policy: 'latest' }))
 *   .subscribe((e) => console.log(e.frame.id));
 * ```
 *
 * @param url http:// or https:// URL of the stream.
 * @param options `headers`, `idPrefix`, `reconnect`, `maxPartBytes`, `readTimeoutMs` (default 10 s
 *   without bytes → the connection is dropped and reconnected or the stream errors), `onError` (default 'skip' for
 *   this live source: one corrupt JPEG is reported to `errors` and the stream goes on; 'throw' to
 *   fail), `errors`.
 * @returns A cold Observable of Frames: each subscription opens its own connection.
 *
 * Backpressure, errors and teardown: while one JPEG is being decoded, newer parts replace the
 * waiting one (latest-frame policy: a camera must never build a queue here); the stream ends when
 * the server ends the response (unless `reconnect`). A refused connection, a non-200 status or a
 * non-multipart response errors with SamflowError SOURCE_FAILED naming the url. Unsubscribing
 * aborts the request (the socket closes) and cancels a pending reconnect.
 */
export function fromMjpegHttp(url: string, options: FromMjpegHttpOptions = {}): Observable<Frame> {
  const onError = options.onError ?? 'skip';
  const retries = options.reconnect?.retries ?? 0;
  const delayMs = options.reconnect?.delayMs ?? 1000;
  const idPrefix = options.idPrefix ?? url;
  const get = url.startsWith('https:') ? https.get : url.startsWith('http:') ? http.get : undefined;
  if (!get) throw new SamflowError('BAD_OPTION', `fromMjpegHttp: url must start with http:// or https://, got '${url}'`, url);
  const readTimeoutMs = options.readTimeoutMs ?? DEFAULT_MJPEG_READ_TIMEOUT_MS;
  if (typeof readTimeoutMs !== 'number' || !Number.isFinite(readTimeoutMs) || readTimeoutMs < 0) {
    throw new SamflowError('BAD_OPTION', `fromMjpegHttp: readTimeoutMs must be a number of milliseconds >= 0 (0: off), got ${String(readTimeoutMs)}`, url);
  }

  return new Observable<Frame>((subscriber) => {
    let closed = false;
    let req: http.ClientRequest | undefined;
    let timer: NodeJS.Timeout | undefined;
    let idle: NodeJS.Timeout | undefined;
    let attempt = 0;
    let n = 0;
    let decoding = false;
    let waiting: Buffer | undefined;

    const decodeNext = (): void => {
      if (decoding || !waiting || closed) return;
      const bytes = waiting;
      waiting = undefined;
      decoding = true;
      const id = `${idPrefix}#${n++}`;
      decodeImage(bytes, { id, sourceName: `${url} part ${id}` }).then(
        (frame) => {
          decoding = false;
          if (closed) return;
          subscriber.next(frame);
          decodeNext();
        },
        (err: unknown) => {
          decoding = false;
          if (closed) return;
          if (onError === 'throw') {
            stop();
            subscriber.error(err);
            return;
          }
          reportSkipped(options.errors, 'fromMjpegHttp', id, err);
          decodeNext();
        },
      );
    };

    const stopIdle = (): void => {
      if (idle) clearTimeout(idle);
      idle = undefined;
    };
    // (re)armed on connect and on every chunk: no bytes for readTimeoutMs → a stalled connection
    const armIdle = (): void => {
      stopIdle();
      if (readTimeoutMs === 0 || closed) return;
      idle = setTimeout(() => {
        idle = undefined;
        failOrRetry(
          new SamflowError('SOURCE_FAILED', `fromMjpegHttp: '${url}' sent nothing for ${readTimeoutMs} ms (stalled camera?); raise readTimeoutMs if it is just slow`, url),
        );
      }, readTimeoutMs);
    };

    const failOrRetry = (error: SamflowError, ended = false): void => {
      if (closed) return;
      stopIdle();
      req?.destroy();
      req = undefined;
      if (attempt < retries) {
        attempt++;
        timer = setTimeout(connect, delayMs);
      } else if (ended) {
        closed = true;
        subscriber.complete();
      } else {
        closed = true;
        subscriber.error(error);
      }
    };

    const connect = (): void => {
      timer = undefined;
      armIdle();
      // events of a connection already given up (stalled, failed) must not touch the next one
      const current = (): boolean => req === r && !closed;
      const r = get(url, { headers: options.headers }, (res) => {
        if (!current()) {
          res.resume();
          return;
        }
        armIdle();
        const type = res.headers['content-type'] ?? '';
        const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
        if (res.statusCode !== 200 || !/multipart\//i.test(type) || !boundary) {
          res.resume();
          failOrRetry(
            new SamflowError(
              'SOURCE_FAILED',
              res.statusCode !== 200
                ? `fromMjpegHttp: '${url}' answered HTTP ${res.statusCode}`
                : `fromMjpegHttp: '${url}' is not an MJPEG stream (content-type '${type}', expected multipart/x-mixed-replace with a boundary)`,
              url,
            ),
          );
          return;
        }
        const splitter = new MultipartSplitter(
          boundary,
          (body) => {
            if (closed) return;
            waiting = body; // latest: a newer part replaces one not yet decoded
            decodeNext();
          },
          options.maxPartBytes,
        );
        res.on('data', (chunk: Buffer) => {
          if (!current()) return;
          armIdle();
          try {
            splitter.push(chunk);
          } catch (e) {
            failOrRetry(e as SamflowError);
          }
        });
        res.on('end', () => {
          if (!current()) return;
          stopIdle();
          const finish = (): void => {
            if (decoding || waiting) {
              setImmediate(finish);
              return;
            }
            failOrRetry(new SamflowError('SOURCE_FAILED', `fromMjpegHttp: '${url}' ended the stream`, url), true);
          };
          finish();
        });
        res.on('error', (e) => current() && failOrRetry(new SamflowError('SOURCE_FAILED', `fromMjpegHttp: '${url}' failed: ${e.message}`, url, { cause: e })));
      });
      r.on('error', (e) => current() && failOrRetry(new SamflowError('SOURCE_FAILED', `fromMjpegHttp: cannot read '${url}': ${e.message}`, url, { cause: e })));
      req = r;
    };

    const stop = (): void => {
      closed = true;
      stopIdle();
      if (timer) clearTimeout(timer);
      req?.destroy();
      req = undefined;
      waiting = undefined;
    };

    connect();
    return stop;
  });
}
