#!/usr/bin/env node
// `npm start`: a live Node-RED 4.1 editor with samflow installed and the example flows deployed,
// offline, on http://127.0.0.1:1880 (PORT=... to change).
//
// 1. builds (tsc + postbuild) when dist/ lacks the nodes,
// 2. prepares the git-ignored userDir .node-red/ in the repo: settings.js (127.0.0.1, no telemetry,
//    no palette installs, no tours), package.json {"dependencies": {"samflow": "file:.."}} and the
//    symlink .node-red/node_modules/samflow -> the repo (no network, no npm install),
// 3. writes the example flows (examples/*.json, one tab each, one shared sam-model) into
//    .node-red/flows.json when that file does not exist yet, or always with --reset,
// 4. runs `node node_modules/node-red/red.js -u .node-red` until Ctrl-C.
// Flags: --reset (rewrite flows.json from the examples), --prepare-only (steps 1-3, no runtime).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');

/** settings.js for a local, offline editor bound to 127.0.0.1. */
function settingsSource(port) {
  return `// Written by samflow's scripts/start.js. Local, offline editor; edit freely.
module.exports = {
    uiHost: '127.0.0.1',
    uiPort: process.env.PORT || ${port},
    flowFile: 'flows.json',
    flowFilePretty: true,
    credentialSecret: false,
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false, ui: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    editorTheme: { tours: false, projects: { enabled: false }, palette: { categories: ['segment anything', 'common', 'function', 'network', 'sequence', 'parser', 'storage'] } },
    logging: { console: { level: 'info', metrics: false, audit: false } },
};
`;
}

function ensureBuilt() {
  const marker = path.join(root, 'dist', 'nodes', 'sam-model', 'sam-model.js');
  if (fs.existsSync(marker)) return;
  console.log('samflow: dist/ has no nodes yet, building (npm run build)…');
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
  if (tsc.status !== 0 && !fs.existsSync(marker)) throw new Error('samflow: the build failed; run `npm run build` to see why');
  const post = spawnSync(process.execPath, [path.join(root, 'scripts', 'postbuild.js')], { stdio: 'inherit', cwd: root });
  if (post.status !== 0) throw new Error('samflow: scripts/postbuild.js failed');
}

/** Every example flow (examples/*.json), each on its own tab, sharing one sam-model config node. */
function exampleWorkspace() {
  const dir = path.join(root, 'examples');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const out = [];
  let sharedModel;
  const modelIds = new Map();
  files.forEach((file, i) => {
    const nodes = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const tab = { id: `samflow-tab-${i}`, type: 'tab', label: file.replace(/\.json$/, ''), disabled: false, info: `samflow example ${file}` };
    out.push(tab);
    for (const n of nodes) {
      if (n.type === 'sam-model') {
        if (!sharedModel) {
          sharedModel = { ...n };
          delete sharedModel.z;
          out.push(sharedModel);
        }
        modelIds.set(n.id, sharedModel.id);
        continue;
      }
      if (n.type === 'tab') continue;
      // config nodes (no x/y) stay global; flow nodes go on the example's tab
      out.push(n.x === undefined ? { ...n } : { ...n, z: tab.id });
    }
  });
  for (const n of out) if (typeof n.model === 'string' && modelIds.has(n.model)) n.model = modelIds.get(n.model);
  return out;
}

/** Creates or refreshes .node-red/ (settings, samflow link, flows). Returns its path. */
function prepareUserDir({ userDir = path.join(root, '.node-red'), port = 1880, reset = false } = {}) {
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  const settings = path.join(userDir, 'settings.js');
  if (!fs.existsSync(settings)) fs.writeFileSync(settings, settingsSource(port));
  const pkg = path.join(userDir, 'package.json');
  const rel = path.relative(userDir, root) || '.';
  fs.writeFileSync(
    pkg,
    JSON.stringify(
      { name: 'samflow-node-red-userdir', private: true, description: 'Node-RED userDir written by samflow scripts/start.js', dependencies: { samflow: `file:${rel}` } },
      null,
      2,
    ) + '\n',
  );
  const link = path.join(userDir, 'node_modules', 'samflow');
  let linked = false;
  try {
    linked = fs.realpathSync(link) === fs.realpathSync(root);
  } catch {
    linked = false;
  }
  if (!linked) {
    fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync(path.relative(path.dirname(link), root), link, 'dir');
  }
  const flowFile = path.join(userDir, 'flows.json');
  if (reset || !fs.existsSync(flowFile)) fs.writeFileSync(flowFile, JSON.stringify(exampleWorkspace(), null, 2) + '\n');
  return userDir;
}

function main(argv) {
  const reset = argv.includes('--reset');
  const prepareOnly = argv.includes('--prepare-only');
  const port = Number(process.env.PORT) || 1880;
  ensureBuilt();
  const userDir = prepareUserDir({ reset, port });
  console.log(`samflow: Node-RED userDir ${path.relative(process.cwd(), userDir) || userDir} (flows: ${path.join(userDir, 'flows.json')})`);
  if (prepareOnly) return;
  console.log(`samflow: starting Node-RED — open http://127.0.0.1:${port}/ (Ctrl-C to stop)`);
  const red = spawn(process.execPath, [path.join(root, 'node_modules', 'node-red', 'red.js'), '-u', userDir], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, PORT: String(port) },
  });
  const forward = (sig) => () => red.kill(sig);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  red.on('exit', (code) => process.exit(code ?? 0));
}

module.exports = { prepareUserDir, exampleWorkspace, settingsSource };

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
