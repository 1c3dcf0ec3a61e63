// The edit of one object: clicks and boxes → masks (one decoder request at a time), SAM's
// alternative masks, undo, clear and accept.
import { api, toBase64 } from './api.js';
import { decodeInBrowser } from './browserDecoder.js';
import { draw } from './draw.js';
import { setObjects } from './objects.js';
import { renderCurrent } from './panel.js';
import { renderProposals } from './proposals.js';
import { $, app, current, prevHandle } from './state.js';
import { run, setStatus, showError } from './status.js';

/** A new edit step: a copy of the current one changed by `change`, then decoded. */
export function pushStep(change) {
  const prev = current();
  const step = {
    points: prev ? prev.points.slice() : [],
    box: prev ? prev.box : null,
    handle: null,
    mask: null,
    source: prev ? prev.source : 'manual',
  };
  change(step);
  app.steps.push(step);
  draw();
  predict();
}

/** One decoder request at a time; while one runs, only the latest step is sent next. */
function predict() {
  const step = current();
  if (!step || step.mask || app.inflight || !app.file) {
    renderCurrent();
    return;
  }
  if (step.points.length === 0 && !step.box) {
    renderCurrent();
    return;
  }
  const t0 = performance.now();
  const decoding = app.decoderMode === 'browser' ? decodeInBrowser(step) : api('api/predict', { file: app.file, points: step.points, box: step.box, prev: prevHandle(step) });
  app.inflight = decoding
    .then((m) => {
      // SAM's candidates for this click, best first (a lone click: whole / part / subpart)
      step.masks = [m].concat(m.alternatives || []);
      step.choice = 0;
      step.handle = m.handle;
      step.mask = m;
      if (current() === step) draw();
      app.lastLatencyMs = Math.round(performance.now() - t0);
      app.latencies.push({ ms: performance.now() - t0, serverMs: m.serverMs, decoderMs: m.decoderMs });
      if (app.latencies.length > 1000) app.latencies.shift();
      setStatus(m.bits ? `Mask in ${app.lastLatencyMs} ms (decoded in the browser)` : `Mask in ${app.lastLatencyMs} ms (decoder ${m.serverMs} ms on the server)`, 'ready');
    })
    .catch((e) => {
      if (e.status === 410) {
        // the server dropped the previous logits: retry this step without them
        for (const s of app.steps) if (s !== step) s.handle = null;
      } else showError(e);
      if (current() === step) app.steps.pop();
    })
    .finally(() => {
      app.inflight = null;
      draw();
      renderCurrent();
      predict();
    });
  renderCurrent();
}

/** Show the next of SAM's masks for the current click; accepting or the next click uses it. */
export function cycleMask() {
  const step = current();
  if (!step || !step.masks || step.masks.length < 2) return;
  step.choice = (step.choice + 1) % step.masks.length;
  step.mask = step.masks[step.choice];
  step.handle = step.mask.handle;
  draw();
  renderCurrent();
}

export function undo() {
  if (!app.steps.length) return;
  app.steps.pop();
  draw();
  predict();
}

export function clearEdit() {
  app.steps = [];
  draw();
  renderCurrent();
}

export async function acceptCurrent() {
  if (app.inflight) await app.inflight;
  const step = current();
  if (!step || !step.mask) return;
  const label = $('label').value.trim();
  if (!label) {
    setStatus('Type a label first (L), then accept.', 'error');
    $('label').focus();
    return;
  }
  await run(async () => {
    const m = step.mask;
    const body = m.lowRes
      ? { file: app.file, label, logits: toBase64(m.lowRes), score: m.score, points: step.points, box: step.box }
      : { file: app.file, handle: step.handle, label };
    const res = await api('api/accept', body);
    app.steps = [];
    if (step.proposal) app.proposals = app.proposals.filter((p) => p.handle !== step.proposal);
    setObjects(res);
    renderProposals();
    renderCurrent();
    setStatus(`Accepted "${label}" (${res.object.area} px) — saved`, 'ready');
  });
}
