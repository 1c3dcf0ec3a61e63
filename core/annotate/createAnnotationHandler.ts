import { createReadStream, existsSync, promises as fsp } from 'node:fs';
import type { ServerResponse } from 'node:http';
import * as path from 'node:path';
import { isSamflowError } from '../errors';
import { AnnotateHttpError } from './AnnotateHttpError';
import {
  parseAcceptRequest,
  parseDoneRequest,
  parseObjectRequest,
  parseOpenRequest,
  parsePredictRequest,
  parseProposeRequest,
  parseRelabelRequest,
  parseReorderRequest,
} from './AnnotateRequests';
import type { AnnotationSession } from './AnnotationSession';
import { listServedFiles } from './listServedFiles';
import { DEFAULT_MAX_BODY_BYTES, readJsonBody, type AnnotateRequest } from './readJsonBody';
import { ORT_WEB_FILES } from './resolveBrowserDecoder';

/** A framework-neutral route handler: plain node:http (no `next`) or express/Node-RED middleware. */
export type AnnotationHandler = (req: AnnotateRequest, res: ServerResponse, next?: (err?: unknown) => void) => void;

export interface AnnotationHandlerOptions {
  /** Largest JSON request body in bytes. Default 1 MB. */
  readonly maxBodyBytes?: number;
  /** Folder of the page's static files (index.html, app.css and its ES modules). Default `static/` beside this module. */
  readonly staticDir?: string;
  /**
   * Folder of the browser build of the core (tsconfig.browser.json: the coordinate transform,
   * prompt encoding and RLE as ES modules), served under `core/`. Default `dist/browser`.
   */
  readonly browserModulesDir?: string;
}

/** The browser build: dist/browser beside dist/core when running from dist, else the package's dist/browser. */
function defaultBrowserModulesDir(): string {
  const fromDist = path.join(__dirname, '..', '..', 'browser');
  return existsSync(fromDist) ? fromDist : path.join(__dirname, '..', '..', 'dist', 'browser');
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

type PostRoute = (s: AnnotationSession, body: Record<string, unknown>) => Promise<unknown>;
const POST_ROUTES: Readonly<Record<string, PostRoute>> = {
  '/api/open': (s, b) => s.openImage(parseOpenRequest(b)),
  '/api/predict': (s, b) => s.predict(parsePredictRequest(b)),
  '/api/accept': (s, b) => s.accept(parseAcceptRequest(b)),
  '/api/delete': (s, b) => s.remove(parseObjectRequest(b)),
  '/api/reorder': (s, b) => s.reorder(parseReorderRequest(b)),
  '/api/relabel': (s, b) => s.relabel(parseRelabelRequest(b)),
  '/api/done': (s, b) => s.setDone(parseDoneRequest(b)),
  '/api/propose': (s, b) => s.propose(parseProposeRequest(b)),
};

/** HTTP status for an error thrown by a route. */
export function statusOf(e: unknown): number {
  if (e instanceof AnnotateHttpError) return e.status;
  if (isSamflowError(e)) {
    switch (e.code) {
      case 'BAD_IMAGE':
        return 422;
      case 'IMAGE_TOO_LARGE':
        return 413;
      case 'BAD_PROMPT':
      case 'BAD_OPTION':
        return 400;
      case 'MODEL_RELEASED':
      case 'NOT_AVAILABLE':
        return 503;
      default:
        return 500;
    }
  }
  return 500;
}

function sendJson(res: ServerResponse, status: number, value: unknown, extraHeaders: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...extraHeaders,
  });
  res.end(body);
}

function sendError(res: ServerResponse, e: unknown): void {
  const status = statusOf(e);
  const code = isSamflowError(e) ? e.code : 'INTERNAL';
  const message = e instanceof Error ? e.message : String(e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error: { code, message } });
}

/**
 * The annotation page's routes over one session, relative to wherever they are mounted:
 * `GET /` (the page), `GET /<page file>.js|.css` (its ES modules), `GET /core/**.js` (the core's
 * browser build they import), `GET /api/images`, `GET /api/image?file=`,
 * `GET /api/export`, and `POST /api/{open,predict,accept,delete,reorder,relabel,done,propose}`
 * with JSON bodies (Content-Type application/json required: a cross-origin page cannot send it
 * without a preflight this server never grants). Errors answer `{error: {code, message}}`.
 * Unknown paths go to `next()` when mounted as middleware, else 404.
 */
export function createAnnotationHandler(session: AnnotationSession, opts: AnnotationHandlerOptions = {}): AnnotationHandler {
  const staticDir = opts.staticDir ?? path.join(__dirname, 'static');
  const browserDir = opts.browserModulesDir ?? defaultBrowserModulesDir();
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // URL path → file, listed once: the page's own files (flat) and the core's browser build under core/
  let served: Promise<ReadonlyMap<string, string>> | undefined;
  const servedFiles = (): Promise<ReadonlyMap<string, string>> =>
    (served ??= Promise.all([listServedFiles(staticDir, ['.html', '.js', '.css'], false), listServedFiles(path.join(browserDir, 'core'), ['.js'], true)]).then(
      ([page, core]) => new Map([...page, ...[...core].map(([rel, file]): [string, string] => [`core/${rel}`, file])]),
    ));

  const handle = async (req: AnnotateRequest, res: ServerResponse, next?: (err?: unknown) => void): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://local');
    const p = url.pathname;
    const method = req.method ?? 'GET';
    try {
      if (method === 'GET' || method === 'HEAD') {
        const staticFile = (await servedFiles()).get(p === '/' ? 'index.html' : p.slice(1));
        if (staticFile) {
          if (p === '/' && req.originalUrl !== undefined) {
            const orig = new URL(req.originalUrl, 'http://local').pathname;
            if (!orig.endsWith('/')) {
              res.writeHead(301, { Location: `${orig}/` });
              res.end();
              return;
            }
          }
          const body = await fsp.readFile(staticFile);
          res.writeHead(200, {
            'Content-Type': CONTENT_TYPES[path.extname(staticFile)] ?? 'application/octet-stream',
            'Content-Length': body.length,
            'Cache-Control': 'no-cache',
            'X-Content-Type-Options': 'nosniff',
            // 'wasm-unsafe-eval' + workers: the optional in-browser decoder (onnxruntime-web);
            // COOP/COEP make the page cross-origin isolated, so WebAssembly can use threads.
            'Content-Security-Policy': "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:",
            'Cross-Origin-Opener-Policy': 'same-origin',
            'Cross-Origin-Embedder-Policy': 'require-corp',
          });
          res.end(method === 'HEAD' ? undefined : body);
          return;
        }
        if (p === '/favicon.ico') {
          res.writeHead(204, { 'Cache-Control': 'max-age=86400' });
          res.end();
          return;
        }
        if (p === '/api/images') {
          await session.refresh();
          sendJson(res, 200, session.summary());
          return;
        }
        if (p === '/api/image') {
          const jpeg = await session.imageJpeg(url.searchParams.get('file') ?? '');
          res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length, 'Cache-Control': 'private, max-age=60', 'X-Content-Type-Options': 'nosniff' });
          res.end(method === 'HEAD' ? undefined : jpeg);
          return;
        }
        if (p === '/api/browser-decoder') {
          sendJson(res, 200, session.browserDecoderInfo());
          return;
        }
        if (p === '/api/embedding') {
          const { bytes, dims } = await session.embeddingBytes(url.searchParams.get('file') ?? '');
          res.writeHead(200, {
            'Content-Type': 'application/octet-stream',
            'Content-Length': bytes.length,
            'X-Samflow-Dims': dims.join(','),
            'Cache-Control': 'no-store',
            'X-Content-Type-Options': 'nosniff',
          });
          res.end(method === 'HEAD' ? undefined : bytes);
          return;
        }
        if (p === '/api/decoder.onnx') {
          const bytes = await session.browserDecoderBytes();
          res.writeHead(200, {
            'Content-Type': 'application/octet-stream',
            'Content-Length': bytes.byteLength,
            'Cache-Control': 'private, max-age=3600',
            'X-Content-Type-Options': 'nosniff',
            'Cross-Origin-Resource-Policy': 'same-origin',
          });
          res.end(method === 'HEAD' ? undefined : bytes);
          return;
        }
        const ortName = p.startsWith('/ort/') ? p.slice('/ort/'.length) : undefined;
        if (ortName !== undefined && ORT_WEB_FILES[ortName]) {
          const files = session.browserDecoderFiles();
          if ('unavailable' in files) throw new AnnotateHttpError(404, 'NOT_AVAILABLE', `in-browser decoder: ${files.unavailable}`);
          // only these fixed file names, never a path from the URL
          const file = path.join(files.ortDir, ortName);
          const st = await fsp.stat(file);
          res.writeHead(200, {
            'Content-Type': ORT_WEB_FILES[ortName],
            'Content-Length': st.size,
            'Cache-Control': 'private, max-age=3600',
            'X-Content-Type-Options': 'nosniff',
            'Cross-Origin-Resource-Policy': 'same-origin',
            // onnxruntime-web starts its threads as module workers from these files: a worker in
            // a cross-origin isolated page needs its own COEP
            'Cross-Origin-Embedder-Policy': 'require-corp',
          });
          if (method === 'HEAD') res.end();
          else createReadStream(file).pipe(res);
          return;
        }
        if (p === '/api/export') {
          sendJson(res, 200, session.exportCoco(), { 'Content-Disposition': 'attachment; filename="annotations.coco.json"' });
          return;
        }
      } else if (method === 'POST') {
        const route = POST_ROUTES[p];
        if (route) {
          const ct = String(req.headers['content-type'] ?? '');
          if (!ct.toLowerCase().startsWith('application/json')) {
            req.resume();
            throw new AnnotateHttpError(415, 'BAD_OPTION', 'request: send the body as JSON with Content-Type: application/json');
          }
          const body = await readJsonBody(req, maxBody);
          sendJson(res, 200, await route(session, body));
          return;
        }
      }
      if (next) next();
      else sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `${method} ${p}: no such route` } });
    } catch (e) {
      sendError(res, e);
    }
  };
  return (req, res, next) => {
    void handle(req, res, next);
  };
}
