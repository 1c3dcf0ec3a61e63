import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/redHelper';

const require_ = createRequire(__filename);
const start = require_(path.join(repoRoot, 'scripts', 'start.js')) as {
  exampleWorkspace: () => Array<Record<string, unknown>>;
  prepareUserDir: (o: { userDir: string; port: number; reset: boolean }) => string;
};
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
const ours = new Set(Object.keys(pkg['node-red'].nodes));
/** Node-RED core node types the examples may use. */
const core = new Set(['inject', 'debug', 'comment', 'catch', 'change', 'switch', 'function', 'http in', 'http response', 'file', 'file in', 'delay', 'template', 'json']);
const exampleFiles = fs.readdirSync(path.join(repoRoot, 'examples')).filter((f) => f.endsWith('.json'));

describe('example flows', () => {
  it('are listed by Node-RED: the first entry of examples/ is a flow file (Node-RED otherwise hides them all)', () => {
    // @node-red/registry library.js keeps a module's examples only when its listing JSON contains '{"f":',
    // i.e. when a .json file comes before any folder in the (alphabetical) directory listing
    const first = fs.readdirSync(path.join(repoRoot, 'examples')).sort()[0];
    expect(first.endsWith('.json'), `examples/${first}`).toBe(true);
    expect(exampleFiles.sort()).toEqual(['camera-stream.json', 'cat-instances.json', 'click-to-mask.json', 'segment-everything.json']);
  });

  for (const file of exampleFiles) {
    it(`${file}: one comment, only samflow and core nodes, every node placed, wires and model references resolve`, () => {
      const nodes = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', file), 'utf8')) as Array<Record<string, unknown>>;
      const ids = new Set(nodes.map((n) => n.id));
      expect(nodes.filter((n) => n.type === 'comment')).toHaveLength(1);
      for (const n of nodes) {
        const type = String(n.type);
        expect(ours.has(type) || core.has(type), `${file}: node type ${type}`).toBe(true);
        if (type !== 'sam-model') expect(typeof n.x === 'number' && typeof n.y === 'number', `${file}: ${String(n.id)} has x/y`).toBe(true);
        for (const out of (n.wires as string[][] | undefined) ?? []) for (const target of out) expect(ids.has(target), `${file}: wire to ${target}`).toBe(true);
        if (n.model !== undefined) expect(nodes.find((m) => m.id === n.model)?.type).toBe('sam-model');
      }
    });
  }

  it('npm start workspace: one tab per example, one shared sam-model, all references rewritten', () => {
    const ws = start.exampleWorkspace();
    const tabs = ws.filter((n) => n.type === 'tab');
    expect(tabs).toHaveLength(exampleFiles.length);
    const models = ws.filter((n) => n.type === 'sam-model');
    expect(models).toHaveLength(1);
    for (const n of ws) {
      if (n.type === 'tab' || n.type === 'sam-model') continue;
      expect(tabs.map((t) => t.id)).toContain(n.z);
      if (n.model !== undefined) expect(n.model).toBe(models[0].id);
    }
    expect(new Set(ws.map((n) => n.id)).size).toBe(ws.length);
  });

  it('npm start userDir: settings bound to 127.0.0.1, samflow linked, flows written once (reset rewrites)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samflow-start-'));
    try {
      start.prepareUserDir({ userDir: dir, port: 18999, reset: false });
      const settings = fs.readFileSync(path.join(dir, 'settings.js'), 'utf8');
      expect(settings).toContain("uiHost: '127.0.0.1'");
      expect(settings).toContain('18999');
      expect(fs.realpathSync(path.join(dir, 'node_modules', 'samflow'))).toBe(fs.realpathSync(repoRoot));
      const deps = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
      expect(deps.samflow).toMatch(/^file:/);
      const flowFile = path.join(dir, 'flows.json');
      expect((JSON.parse(fs.readFileSync(flowFile, 'utf8')) as unknown[]).length).toBeGreaterThan(10);
      fs.writeFileSync(flowFile, '[]');
      start.prepareUserDir({ userDir: dir, port: 18999, reset: false });
      expect(fs.readFileSync(flowFile, 'utf8')).toBe('[]');
      start.prepareUserDir({ userDir: dir, port: 18999, reset: true });
      expect(fs.readFileSync(flowFile, 'utf8')).not.toBe('[]');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
