// The folder's images: the list with progress, and opening one (encoded once on the server).
import { api } from './api.js';
import { browserEmbedding } from './browserDecoder.js';
import { draw, fitImage } from './draw.js';
import { renderObjects, setObjects } from './objects.js';
import { renderCurrent, renderLabels, renderProgress } from './panel.js';
import { renderProposals } from './proposals.js';
import { $, app, canvas, img } from './state.js';
import { run, setStatus, showError, showStageMessage } from './status.js';

export async function loadList() {
  const s = await api('api/images');
  app.files = s.files;
  app.labels = s.labels;
  app.proposalKinds = s.proposalKinds;
  $('proposalKind').replaceChildren(...s.proposalKinds.map((k) => Object.assign(document.createElement('option'), { value: k, textContent: k })));
  renderLabels();
  renderProposals();
  if (!$('label').value && app.labels.length) $('label').value = app.labels[0];
}

export async function openIndex(i) {
  if (i < 0 || i >= app.files.length) return;
  const seq = ++app.openSeq;
  const file = app.files[i].file;
  app.index = i;
  app.file = null;
  app.steps = [];
  app.objects = [];
  app.proposals = [];
  app.layerCache.clear();
  history.replaceState(null, '', `#file=${encodeURIComponent(file)}`);
  $('done').checked = app.files[i].done;
  $('fileName').textContent = file;
  $('fileName').title = file;
  renderProgress();
  renderObjects();
  renderProposals();
  renderCurrent();
  draw();
  setStatus(`Opening ${file} (encoding the image once)…`, 'busy');
  showStageMessage('Encoding image…', false);
  const imgLoaded = new Promise((resolve, reject) => {
    img.onload = () => resolve();
    img.onerror = () => reject(new Error('image failed to load'));
  });
  imgLoaded.catch(() => undefined); // api/open reports the reason; avoid an unhandled rejection
  img.src = `api/image?file=${encodeURIComponent(file)}`;
  try {
    const t0 = performance.now();
    const opened = await api('api/open', { file });
    await imgLoaded;
    if (seq !== app.openSeq) return;
    app.file = opened.file;
    app.width = opened.width;
    app.height = opened.height;
    app.done = opened.done;
    $('done').checked = opened.done;
    canvas.width = opened.width;
    canvas.height = opened.height;
    fitImage();
    if (app.decoderMode === 'browser') await browserEmbedding(opened.file).catch(showError);
    setObjects({ objects: opened.objects });
    renderCurrent();
    showStageMessage('', false);
    setStatus(`Ready: ${file} (${opened.width}×${opened.height}, opened in ${Math.round(performance.now() - t0)} ms)`, 'ready');
  } catch (e) {
    if (seq !== app.openSeq) return;
    img.removeAttribute('src');
    showStageMessage(`Cannot open ${file}: ${e.message}`, true);
    setStatus(`Cannot open ${file}: ${e.message}`, 'error');
  }
}

/** Mark the open image done (or not). */
export async function setDone(done) {
  if (!app.file) return;
  await run(async () => {
    await api('api/done', { file: app.file, done });
    $('done').checked = done;
    const entry = app.files.find((f) => f.file === app.file);
    if (entry) entry.done = done;
    renderProgress();
  });
}
