import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SamflowError } from '../errors';
import type { SamModel } from '../model/SamModel';
import { AnnotationSession } from './AnnotationSession';
import type { AcceptedObjectEvent } from './AnnotationSessionOptions';
import { createAnnotationHandler } from './createAnnotationHandler';
import { defaultProposalProviders } from './defaultProposalProviders';
import type { ProposalProviders } from './Proposal';
import type { CocoInstances } from './stateToCoco';

export interface AnnotationServerOptions {
  /** Folder of images to annotate; nothing outside it is readable through the server. */
  readonly folder: string;
  readonly model: SamModel;
  /** Interface to bind. Default 127.0.0.1 (this machine only); pass 0.0.0.0 to serve others. */
  readonly host?: string;
  /** Port; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** JSON state file (autosave). Default `<folder>/.samflow-annotations.json`. */
  readonly stateFile?: string;
  /**
   * Stage 2 proposal sources offered in the page. Default: automatic masks (16×16 grid) and COCO
   * detector instances (`defaultProposalProviders()`); `{}` offers none.
   */
  readonly proposals?: ProposalProviders;
  /** Labels offered in the page's list. */
  readonly labels?: readonly string[];
  /** Largest image in pixels. Default 40e6. */
  readonly maxPixels?: number;
  /** Largest JSON request body in bytes. Default 1 MB. */
  readonly maxBodyBytes?: number;
  /** Called after each accepted object is saved. */
  readonly onAccept?: (event: AcceptedObjectEvent) => void;
  /** Offer the in-browser decoder (default true when its files are found). */
  readonly browserDecoder?: boolean | { readonly decoderPath?: string };
}

export interface AnnotationServer {
  /** e.g. http://127.0.0.1:43123/ */
  readonly url: string;
  readonly port: number;
  /** Stop listening, wait for the last save. Does not release the model. */
  close(): Promise<void>;
  /** COCO instances JSON of what has been accepted so far (what the page's Export gives). */
  exportCoco(): CocoInstances;
}

/**
 * Serve the annotation page for a folder on a plain node:http server (what `samflow annotate
 * --ui` runs). Binds 127.0.0.1 unless `host` says otherwise.
 */
export async function startAnnotationServer(opts: AnnotationServerOptions): Promise<AnnotationServer> {
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SamflowError('BAD_OPTION', `port: expected an integer 0–65535 (0 = any free port), got ${port}`);
  }
  const host = opts.host ?? '127.0.0.1';
  const session = await AnnotationSession.open({
    folder: opts.folder,
    model: opts.model,
    ...(opts.stateFile !== undefined ? { stateFile: opts.stateFile } : {}),
    proposals: opts.proposals ?? defaultProposalProviders(),
    ...(opts.labels !== undefined ? { labels: opts.labels } : {}),
    ...(opts.maxPixels !== undefined ? { maxPixels: opts.maxPixels } : {}),
    ...(opts.onAccept !== undefined ? { onAccept: opts.onAccept } : {}),
    ...(opts.browserDecoder !== undefined ? { browserDecoder: opts.browserDecoder } : {}),
  });
  const handler = createAnnotationHandler(session, opts.maxBodyBytes !== undefined ? { maxBodyBytes: opts.maxBodyBytes } : {});
  const loopbackOnly = isLoopback(host);
  const server = http.createServer((req, res) => {
    // Bound to this machine only: refuse requests for other host names, so a web page that
    // re-points its own domain at 127.0.0.1 (DNS rebinding) cannot reach the folder.
    if (loopbackOnly && !isLoopback(hostnameOf(req.headers.host))) {
      const body = JSON.stringify({
        error: { code: 'BAD_OPTION', message: `Host "${String(req.headers.host)}": this server answers only to localhost / 127.0.0.1; start it with --host to serve other names` },
      });
      res.writeHead(403, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(body);
      return;
    }
    handler(req, res);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(new SamflowError('BAD_OPTION', `port ${port} on ${host}: cannot listen (${e.code ?? e.message}); pick another --port or --host`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost}:${addr.port}/`,
    port: addr.port,
    exportCoco: () => session.exportCoco(),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await session.close();
    },
  };
}

function isLoopback(host: string | undefined): boolean {
  if (host === undefined) return false;
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127(\.\d{1,3}){3}$/.test(h) || h.endsWith('.localhost');
}

/** Host header without the port ("127.0.0.1:8080" → "127.0.0.1", "[::1]:80" → "[::1]"). */
function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const i = hostHeader.lastIndexOf(':');
  return i >= 0 ? hostHeader.slice(0, i) : hostHeader;
}
