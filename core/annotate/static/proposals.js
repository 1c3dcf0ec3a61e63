// Stage 2: masks proposed by the server (automatic masks, detector instances), each accepted,
// corrected with clicks or rejected.
import { api } from './api.js';
import { draw } from './draw.js';
import { proposalColor } from './layers.js';
import { setObjects } from './objects.js';
import { button, hover, renderCurrent } from './panel.js';
import { $, app } from './state.js';
import { run, setStatus } from './status.js';

export function renderProposals() {
  $('proposalSection').hidden = app.proposalKinds.length === 0;
  $('acceptAll').disabled = app.proposals.length === 0;
  $('rejectAll').disabled = app.proposals.length === 0;
  const items = app.proposals.map((p, i) => {
    const li = document.createElement('li');
    li.dataset.handle = p.handle;
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = proposalColor(i);
    const name = document.createElement('span');
    name.style.flex = '1';
    name.textContent = `${p.label || '(no label)'} ${p.score !== undefined ? p.score.toFixed(2) : ''}`;
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = `${p.area}px`;
    li.append(
      sw,
      name,
      meta,
      button('✓', 'Accept', () => acceptProposal(p)),
      button('✎', 'Correct with clicks', () => correctProposal(p)),
      button('✕', 'Reject', () => dropProposal(p)),
    );
    li.addEventListener('mouseenter', () => hover('proposal', p.handle, li));
    li.addEventListener('mouseleave', () => hover('proposal', null, li));
    return li;
  });
  $('proposals').replaceChildren(...items);
}

export async function propose() {
  const kind = $('proposalKind').value;
  if (!kind || !app.file) return;
  setStatus(`Proposing with ${kind}…`, 'busy');
  await run(async () => {
    const t0 = performance.now();
    const res = await api('api/propose', { file: app.file, kind });
    app.proposals = res.proposals;
    renderProposals();
    draw();
    setStatus(`${res.proposals.length} proposals from ${kind} in ${Math.round(performance.now() - t0)} ms`, 'ready');
  });
}

export async function acceptProposal(p) {
  const label = p.label || $('label').value.trim();
  if (!label) {
    setStatus('Type a label first (L), then accept.', 'error');
    return;
  }
  await run(async () => {
    const res = await api('api/accept', { file: app.file, handle: p.handle, label });
    app.proposals = app.proposals.filter((q) => q !== p);
    setObjects(res);
    renderProposals();
  });
}

function dropProposal(p) {
  app.proposals = app.proposals.filter((q) => q !== p);
  app.hoverProposal = null;
  renderProposals();
  draw();
}

/** Make a proposal the edit's first step: the next click refines it (its logits fed back). */
function correctProposal(p) {
  dropProposal(p);
  if (p.label) $('label').value = p.label;
  app.steps = [{ points: (p.points || []).slice(), box: p.box || null, handle: p.handle, mask: p, source: 'proposal', proposal: p.handle }];
  draw();
  renderCurrent();
  setStatus('Correct the proposal with clicks, then accept.', 'ready');
}

export function rejectAllProposals() {
  app.proposals = [];
  renderProposals();
  draw();
}
