// Buttons and keyboard shortcuts.
import { setDecoderMode } from './browserDecoder.js';
import { draw, fitImage } from './draw.js';
import { acceptCurrent, clearEdit, cycleMask, undo } from './edit.js';
import { openIndex, setDone } from './images.js';
import { acceptProposal, propose, rejectAllProposals } from './proposals.js';
import { $, app } from './state.js';

export function bindControls() {
  $('prev').addEventListener('click', () => openIndex(app.index - 1));
  $('next').addEventListener('click', () => openIndex(app.index + 1));
  $('accept').addEventListener('click', () => acceptCurrent());
  $('undo').addEventListener('click', undo);
  $('clear').addEventListener('click', clearEdit);
  $('nextMask').addEventListener('click', cycleMask);
  $('propose').addEventListener('click', () => propose());
  $('acceptAll').addEventListener('click', async () => {
    for (const p of app.proposals.slice()) await acceptProposal(p);
  });
  $('rejectAll').addEventListener('click', rejectAllProposals);
  $('done').addEventListener('change', () => setDone($('done').checked));
  $('decoderMode').addEventListener('change', () => setDecoderMode($('decoderMode').value));
  $('label').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      acceptCurrent();
      $('label').blur();
    } else if (ev.key === 'Escape') $('label').blur();
  });
  window.addEventListener('resize', () => {
    fitImage();
    draw();
  });
}

export function bindKeys() {
  document.addEventListener('keydown', (ev) => {
    const t = ev.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
    const k = ev.key;
    if (ev.ctrlKey && (k === 'z' || k === 'Z')) {
      ev.preventDefault();
      undo();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const actions = {
      Enter: () => acceptCurrent(),
      a: () => acceptCurrent(),
      z: undo,
      Backspace: undo,
      Escape: clearEdit,
      c: clearEdit,
      m: cycleMask,
      l: () => $('label').focus(),
      n: () => openIndex(app.index + 1),
      ArrowRight: () => openIndex(app.index + 1),
      p: () => openIndex(app.index - 1),
      ArrowLeft: () => openIndex(app.index - 1),
      d: () => setDone(!$('done').checked),
      r: () => propose(),
    };
    const f = actions[k];
    if (f) {
      ev.preventDefault();
      f();
    }
  });
}
