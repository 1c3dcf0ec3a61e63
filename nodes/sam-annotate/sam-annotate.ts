import type { ServerResponse } from 'node:http';
import { AnnotationSession, createAnnotationHandler, defaultProposalProviders, type AcceptedObjectEvent, type AnnotationHandler, SamflowError, type SamModel } from '../../core';
import type { AnnotateRequest } from '../../core/internal';
import type { Node, NodeAPI, NodeDef } from '../red';
import type { ModelRuntime } from '../lib/ModelRuntime';
import { attachModel, noModelError } from '../lib/modelUser';

/**
 * The express app Node-RED serves HTTP-in routes from (`RED.httpNode`, under `httpNodeRoot`).
 * Not (yet) in nodes/red.ts, so typed here by the one method used.
 */
interface HttpNodeApp {
  use(handler: (req: AnnotateRequest, res: ServerResponse, next: (err?: unknown) => void) => void): unknown;
}
type RedWithHttp = NodeAPI & { readonly httpNode?: HttpNodeApp };

interface SamAnnotateDef extends NodeDef {
  readonly model?: string;
  readonly folder?: string;
  /** URL path under the Node-RED HTTP root, e.g. "/annotate". */
  readonly path?: string;
  /** Comma-separated labels offered in the page. */
  readonly labels?: string;
  readonly stateFile?: string;
}

/** One mounted page: its handler once the model is loaded, or why it is not available. */
interface Mount {
  handler?: AnnotationHandler;
  unavailable: string;
}

/** Mount paths → pages, shared by every sam-annotate node on the same httpNode app. */
const mounts = new Map<string, Mount>();
const installedOn = new WeakSet<object>();

/** Normalise and check a mount path: "/a/b" (letters, digits, - _ . /), no trailing slash. */
function normaliseMountPath(p: unknown): string {
  const raw = typeof p === 'string' && p.trim() !== '' ? p.trim() : '/annotate';
  const withSlash = raw.startsWith('/') ? raw : `/${raw}`;
  const clean = withSlash.replace(/\/+$/, '');
  if (clean === '' || !/^(\/[A-Za-z0-9_.-]+)+$/.test(clean) || clean.split('/').some((s) => s === '..' || s === '.')) {
    throw new SamflowError('BAD_OPTION', `sam-annotate: path "${raw}" is not a usable URL path; use letters, digits, "-", "_" and "/", e.g. /annotate`);
  }
  return clean;
}

/** The one middleware on RED.httpNode: finds the page whose mount path prefixes the URL. */
function dispatch(req: AnnotateRequest, res: ServerResponse, next: (err?: unknown) => void): void {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const pathname = q >= 0 ? url.slice(0, q) : url;
  let best: string | undefined;
  for (const m of mounts.keys()) {
    if ((pathname === m || pathname.startsWith(`${m}/`)) && (!best || m.length > best.length)) best = m;
  }
  if (!best) {
    next();
    return;
  }
  const mount = mounts.get(best)!;
  if (!mount.handler) {
    const body = JSON.stringify({ error: { code: 'NOT_AVAILABLE', message: mount.unavailable } });
    res.writeHead(503, { 'Content-Type': 'application/json; charset=utf-8', 'Retry-After': '2' });
    res.end(body);
    return;
  }
  const originalUrl = req.originalUrl ?? url;
  const inner = url.slice(best.length) || '/';
  req.originalUrl = originalUrl;
  req.url = inner.startsWith('/') ? inner : `/${inner}`;
  mount.handler(req, res, (err?: unknown) => {
    req.url = url;
    next(err);
  });
}

/** A SamModel whose runs go through the sam-model config node, so a redeploy waits for them. */
function viaRuntime(runtime: ModelRuntime, model: SamModel): SamModel {
  return {
    id: model.id,
    spec: model.spec,
    runEncoder: (input) => runtime.run((m) => m.runEncoder(input)),
    runDecoder: (embedding, feeds) => runtime.run((m) => m.runDecoder(embedding, feeds)),
    release: async () => undefined, // the config node owns the sessions
    get released() {
      return model.released;
    },
  };
}

/**
 * sam-annotate: serves the model-assisted annotation page for a folder under the Node-RED HTTP
 * root and sends one message per accepted object: `msg.payload` = `{file, label, annotation,
 * image}` (a COCO annotation with RLE segmentation), `msg.topic` = the label. Any input message
 * is answered with the COCO export of the folder (`msg.payload`, `msg.topic` "coco").
 */
export = function register(RED: RedWithHttp): void {
  function SamAnnotateNode(this: Node, def: SamAnnotateDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    let session: AnnotationSession | undefined;
    let closed = false;
    let mountPath: string | undefined;

    try {
      mountPath = normaliseMountPath(def.path);
      if (mounts.has(mountPath))
        throw new SamflowError('BAD_OPTION', `sam-annotate: path ${mountPath} is already served by another sam-annotate node; give each node its own path`);
      if (!def.folder || def.folder.trim() === '') throw new SamflowError('BAD_OPTION', 'sam-annotate: no folder configured; set the folder of images to annotate');
      if (!RED.httpNode) throw new SamflowError('NOT_AVAILABLE', 'sam-annotate: this Node-RED has no HTTP node server (httpNodeRoot is false)');
    } catch (e) {
      node.status({ fill: 'red', shape: 'ring', text: (e as Error).message.replace(/^sam-annotate: /, '').slice(0, 60) });
      node.error(e);
      mountPath = undefined;
    }

    const runtime = attachModel(RED, node, def.model, () => ({ fill: 'green', shape: 'dot', text: `serving ${mountPath ?? ''}` }));
    if (mountPath && RED.httpNode) {
      const mount: Mount = { unavailable: 'sam-annotate: the model is loading; try again in a moment' };
      mounts.set(mountPath, mount);
      if (!installedOn.has(RED.httpNode)) {
        RED.httpNode.use(dispatch);
        installedOn.add(RED.httpNode);
      }
      if (!runtime) mount.unavailable = noModelError('sam-annotate').message;
      else {
        const folder = def.folder!.trim();
        const labels = (def.labels ?? '')
          .split(',')
          .map((l) => l.trim())
          .filter((l) => l !== '');
        runtime
          .run(async (m) => m)
          .then(async (model) => {
            const s = await AnnotationSession.open({
              folder,
              model: viaRuntime(runtime, model),
              labels,
              proposals: defaultProposalProviders(),
              ...(def.stateFile && def.stateFile.trim() !== '' ? { stateFile: def.stateFile.trim() } : {}),
              onAccept: (e: AcceptedObjectEvent) => node.send({ topic: e.label, payload: e }),
            });
            if (closed) {
              await s.close();
              return;
            }
            session = s;
            mount.handler = createAnnotationHandler(s);
            node.log(`annotation page for ${folder} at ${mountPath}/`);
          })
          .catch((e: unknown) => {
            mount.unavailable = e instanceof Error ? e.message : String(e);
            node.status({ fill: 'red', shape: 'ring', text: mount.unavailable.slice(0, 60) });
            node.error(e);
          });
      }
    }

    node.on('input', (msg, send, done) => {
      if (!session) {
        done(new SamflowError('NOT_AVAILABLE', 'sam-annotate: the page is not ready (model loading or bad configuration); see the node status'));
        return;
      }
      send({ ...msg, topic: 'coco', payload: session.exportCoco() });
      done();
    });

    node.on('close', (_removed, done) => {
      closed = true;
      if (mountPath) mounts.delete(mountPath);
      const s = session;
      session = undefined;
      (s ? s.close() : Promise.resolve()).then(
        () => done(),
        () => done(),
      );
    });
  }
  RED.nodes.registerType('sam-annotate', SamAnnotateNode);
};
