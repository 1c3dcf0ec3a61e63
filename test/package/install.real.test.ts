/**
 * The packed tarball in a plain Node-RED, as a user installs it: `npm pack`, then the tarball installed
 * offline into a fresh userDir (`npm ci --offline --omit=dev` from the npm cache `npm ci` filled;
 * onnxruntime-node's CUDA download skipped with ONNXRUNTIME_NODE_INSTALL=skip), then the separately
 * installed Node-RED (this repo's dev dependency) started on that userDir: every samflow node type
 * registers from the installed copy and Import ▸ Examples ▸ samflow lists the example flows.
 * Offline needs a lock: npm's cache holds the tarballs `npm ci` fetched but not the registry metadata a
 * fresh `npm install <tarball>` resolves ranges with, so the userDir's lock is the repo's lock minus
 * its dev-only entries (the same versions a user resolves today), with samflow as `file:<tarball>`.
 * Needs the build (dist/). Skips when the npm cache lacks a package (ENOTCACHED) unless CI is set.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, stopNodeRed } from '../../bench/NodeRedChild';
import { inCi } from '../support/sharedData';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  'node-red': { nodes: Record<string, string> };
};
const built = fs.existsSync(path.join(repoRoot, 'dist', 'nodes', 'sam-model', 'sam-model.js'));
if (!built) {
  const message = 'package test: dist/ is not built (npm run build)';
  if (inCi) throw new Error(`${message} — required in CI`);
  console.warn(`skipped: ${message}`);
}
const exampleNames = fs
  .readdirSync(path.join(repoRoot, 'examples'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();
/**
 * The environment for the npm child processes: without the npm_* variables of the npm/npx that
 * started vitest (npm_config_local_prefix would point `npm ci` at the repo itself), so each command
 * works on its own folder only (`--prefix` says it again).
 */
const npmEnv: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_'))),
  ONNXRUNTIME_NODE_INSTALL: 'skip',
  npm_config_update_notifier: 'false',
};

interface LockEntry {
  dev?: boolean;
  inBundle?: boolean;
  [key: string]: unknown;
}

/** A userDir package.json depending on the tarball, and its lock: the repo's non-dev lock entries. */
function writeUserDirPackage(dir: string, spec: string): void {
  const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, LockEntry> = { '': { name: 'node-red-project', dependencies: { samflow: spec } } };
  for (const [key, entry] of Object.entries(lock.packages)) {
    // bundled entries travel inside their parent's tarball; a dev-only parent takes its subtree along
    const parent = key.slice(0, key.lastIndexOf('/node_modules/'));
    const parentDropped = key.includes('/node_modules/') && !(parent in packages);
    if (key !== '' && !entry.dev && !parentDropped) packages[key] = entry;
  }
  packages['node_modules/samflow'] = { version: pkg.version, resolved: spec, dependencies: pkg.dependencies, bin: pkg.bin };
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'node-red-project', private: true, description: 'a Node-RED userDir', dependencies: { samflow: spec } }, null, 2),
  );
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'node-red-project', lockfileVersion: 3, requires: true, packages }, null, 2));
}

interface PackResult {
  filename: string;
  files: { path: string }[];
}

describe.skipIf(!built)('npm pack → npm install into a plain Node-RED userDir', () => {
  let tmp = '';
  let userDir = '';
  let packed: PackResult;
  let installError: string | undefined;
  let red: ChildProcess | undefined;
  let base = '';
  let log = '';

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'samflow-package-'));
    userDir = path.join(tmp, 'node-red-user');
    const { stdout } = await run('npm', ['pack', '--prefix', repoRoot, '--json', '--ignore-scripts', '--pack-destination', tmp], {
      cwd: repoRoot,
      env: npmEnv,
      maxBuffer: 64 << 20,
    });
    packed = (JSON.parse(stdout) as PackResult[])[0]!;
    fs.mkdirSync(userDir);
    writeUserDirPackage(userDir, `file:../${packed.filename}`);
    try {
      await run('npm', ['ci', '--prefix', userDir, '--offline', '--no-audit', '--no-fund', '--omit=dev'], { cwd: userDir, env: npmEnv, maxBuffer: 64 << 20, timeout: 300_000 });
    } catch (e) {
      const err = e as Error & { stderr?: string };
      installError = `${err.message}\n${err.stderr ?? ''}`;
      if (/ENOTCACHED/.test(installError) && !inCi) {
        console.warn(`skipped: the npm cache lacks a package samflow needs (run npm ci first): ${installError.match(/request to \S+/)?.[0] ?? installError}`);
        return;
      }
      throw new Error(`npm install of the tarball failed: ${installError}`);
    }
    const port = await freePort();
    const settings = path.join(userDir, 'settings.js');
    fs.writeFileSync(
      settings,
      `module.exports = { uiHost: '127.0.0.1', uiPort: ${port}, flowFile: 'flows.json', credentialSecret: false,
  telemetry: { enabled: false, updateNotification: false }, diagnostics: { enabled: false, ui: false },
  externalModules: { autoInstall: false, palette: { allowInstall: false } }, editorTheme: { tours: false },
  logging: { console: { level: 'info', metrics: false, audit: false } } };\n`,
    );
    fs.writeFileSync(path.join(userDir, 'flows.json'), '[]');
    red = spawn(process.execPath, [path.join(repoRoot, 'node_modules', 'node-red', 'red.js'), '-u', userDir, '-s', settings], { cwd: userDir, stdio: ['ignore', 'pipe', 'pipe'] });
    red.stdout!.on('data', (b: Buffer) => (log += b.toString()));
    red.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    base = `http://127.0.0.1:${port}`;
    const until = Date.now() + 90_000;
    for (;;) {
      try {
        if ((await fetch(`${base}/settings`)).ok) break;
      } catch {
        // not listening yet
      }
      if (red.exitCode !== null || Date.now() > until) throw new Error(`Node-RED did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 420_000);

  afterAll(async () => {
    await stopNodeRed(red);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the tarball holds the build, the editor files, the examples and the manifest — no tests, bench, CI or source maps', () => {
    const files = packed.files.map((f) => f.path);
    for (const entry of Object.values(pkg['node-red'].nodes)) {
      expect(files).toContain(entry);
      expect(files).toContain(entry.replace(/\.js$/, '.html'));
    }
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'CHANGELOG.md',
        'models/manifest.json',
        'dist/cli/main.js',
        'dist/core/index.js',
        'dist/core/index.mjs',
        'dist/core/index.d.ts',
      ]),
    );
    for (const name of exampleNames) expect(files).toContain(`examples/${name}.json`);
    expect(files.some((f) => f.includes('/locales/en-US/'))).toBe(true);
    expect(files.some((f) => f.startsWith('dist/core/annotate/static/'))).toBe(true);
    const unwanted = files.filter(
      (f) => /^(test|bench|dist\/bench|scripts|\.ci|core|cli|nodes)\//.test(f) || f.endsWith('.map') || f.endsWith('.test.js') || (f.endsWith('.ts') && !f.endsWith('.d.ts')),
    );
    expect(unwanted).toEqual([]);
    console.log(`npm pack: ${files.length} files, ${packed.filename}`);
  });

  it('installs offline without a second Node-RED and with every dependency the code requires', (ctx) => {
    if (installError) ctx.skip(`npm cache lacks a package: ${installError.split('\n')[0]}`);
    const installed = path.join(userDir, 'node_modules');
    expect(fs.existsSync(path.join(installed, 'samflow', 'package.json'))).toBe(true);
    expect(fs.existsSync(path.join(installed, 'node-red'))).toBe(false);
    for (const dep of Object.keys(pkg.dependencies)) expect(fs.existsSync(path.join(installed, dep, 'package.json')), dep).toBe(true);
  });

  it('the installed bin answers samflow --version', async (ctx) => {
    if (installError) ctx.skip('not installed');
    const { stdout } = await run(path.join(userDir, 'node_modules', '.bin', 'samflow'), ['--version'], { cwd: userDir });
    expect(stdout.trim()).toBe(`samflow ${pkg.version}`);
  });

  it('Node-RED registers every samflow node type from the installed copy (GET /nodes)', async (ctx) => {
    if (installError) ctx.skip('not installed');
    const res = await fetch(`${base}/nodes`, { headers: { Accept: 'application/json' } });
    expect(res.status).toBe(200);
    const sets = (await res.json()) as { module: string; types: string[]; enabled: boolean; loaded?: boolean; err?: string; version?: string }[];
    const ours = sets.filter((s) => s.module === 'samflow');
    expect(ours.map((s) => s.err).filter(Boolean), log).toEqual([]);
    expect(ours.every((s) => s.enabled && s.loaded !== false && s.version === pkg.version)).toBe(true);
    expect(ours.flatMap((s) => s.types).sort()).toEqual(Object.keys(pkg['node-red'].nodes).sort());
    // loaded from the installed tarball, not the repo
    expect(log).not.toContain(repoRoot + path.sep + 'dist');
  });

  it('Import ▸ Examples ▸ samflow lists the example flows (GET /library/examples/flows/samflow)', async (ctx) => {
    if (installError) ctx.skip('not installed');
    const modules = (await (await fetch(`${base}/library/examples/flows/`)).json()) as unknown;
    expect(modules).toEqual(expect.arrayContaining(['samflow']));
    const res = await fetch(`${base}/library/examples/flows/samflow`);
    expect(res.status).toBe(200);
    // Node-RED lists a folder as its sub-folder names and {fn} per flow file
    const listing = (await res.json()) as (string | { fn: string })[];
    expect(listing.flatMap((e) => (typeof e === 'string' ? [] : [e.fn])).sort()).toEqual(exampleNames);
    expect(listing.filter((e) => typeof e === 'string')).toEqual([]); // no empty sub-folder (examples/rx stays out of the package)
    const flow = (await (await fetch(`${base}/library/examples/flows/samflow/${exampleNames[0]}`)).json()) as { type: string }[];
    expect(flow.some((n) => n.type.startsWith('sam-'))).toBe(true);
  });
});
