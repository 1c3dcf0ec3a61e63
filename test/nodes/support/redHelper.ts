import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Node-RED's test helper under vitest, with the nodes loaded from the build (dist/nodes). */
export const repoRoot = path.resolve(__dirname, '../../..');
const require_ = createRequire(__filename);

export interface NodeRedNode {
  readonly id: string;
  on(event: 'input', fn: (msg: Record<string, unknown>) => void): void;
  receive(msg: Record<string, unknown>): void;
  status?: unknown;
}

export interface TestHelper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  load(nodes: unknown, flow: unknown[], credentials?: Record<string, unknown>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): NodeRedNode;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  setFlows(flow: unknown[], type?: string): Promise<void>;
}

export const helper = require_('node-red-node-test-helper') as TestHelper;
helper.init(require_.resolve('node-red'));

export function distNode(type: string): unknown {
  const file = path.join(repoRoot, 'dist', 'nodes', type, `${type}.js`);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  return require_(file);
}

/** Node-RED core nodes a test flow may need (catch). */
export const catchNode = require_('@node-red/nodes/core/common/25-catch.js') as unknown;

/** The modelLoader seam of the built nodes (same module instance the nodes use). */
export function distModelLoader(): { load: (opts: Record<string, unknown>) => Promise<unknown> } {
  return (require_(path.join(repoRoot, 'dist', 'nodes', 'lib', 'modelLoader.js')) as { modelLoader: { load: (opts: Record<string, unknown>) => Promise<unknown> } }).modelLoader;
}

/** Resolves with the next message a node receives (rejects after `ms`). */
export function nextMessage(node: NodeRedNode, ms = 10_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no message reached ${node.id} within ${ms} ms`)), ms);
    node.on('input', (msg) => {
      clearTimeout(t);
      resolve(msg);
    });
  });
}

/** Collects every message a node receives. */
export function collect(node: NodeRedNode): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  node.on('input', (msg) => out.push(msg));
  return out;
}

export async function waitFor(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The detectorLoader seam of the built nodes. */
export function distDetectorLoader(): { load: () => Promise<unknown> } {
  return (require_(path.join(repoRoot, 'dist', 'nodes', 'lib', 'detectorLoader.js')) as { detectorLoader: { load: () => Promise<unknown> } }).detectorLoader;
}

/** The clipLoader seam of the built nodes. */
export function distClipLoader(): { load: (folder: string | undefined) => Promise<unknown> } {
  return (require_(path.join(repoRoot, 'dist', 'nodes', 'lib', 'clipLoader.js')) as { clipLoader: { load: (folder: string | undefined) => Promise<unknown> } }).clipLoader;
}
