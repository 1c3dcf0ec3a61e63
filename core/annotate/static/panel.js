// The side panel's progress, label list and current-mask lines, and its small widgets.
import { draw } from './draw.js';
import { $, app, current } from './state.js';

export function renderProgress() {
  const done = app.files.filter((f) => f.done).length;
  $('progress').textContent = `${done} / ${app.files.length} done`;
  $('position').textContent = app.files.length ? `${app.index + 1} / ${app.files.length}` : '–';
  $('prev').disabled = app.index <= 0;
  $('next').disabled = app.index < 0 || app.index >= app.files.length - 1;
}

export function renderLabels() {
  const list = $('labels');
  list.replaceChildren(...app.labels.map((l) => Object.assign(document.createElement('option'), { value: l })));
}

export function renderCurrent() {
  const step = current();
  const mask = step && step.mask;
  let text = 'Click inside an object.';
  if (step && app.inflight) text = 'Predicting…';
  const n = step && step.masks ? step.masks.length : 0;
  if (mask) {
    text =
      `Mask${n > 1 ? ` ${step.choice + 1} of ${n}` : ''}: ${mask.area} px, predicted IoU ${mask.score.toFixed(3)}` +
      `${app.lastLatencyMs !== null ? `, ${app.lastLatencyMs} ms` : ''}${n > 1 ? ' (M: next mask)' : ''}`;
  }
  $('current').textContent = text;
  $('nextMask').disabled = !(mask && n > 1);
  $('nextMask').textContent = `Mask ${mask && n > 1 ? step.choice + 1 : 1}/${Math.max(1, mask ? n : 1)}`;
  $('accept').disabled = !mask;
  $('undo').disabled = app.steps.length === 0;
  $('clear').disabled = app.steps.length === 0;
}

/** Highlight an object or proposal while the mouse is over its list item. */
export function hover(kind, id, li) {
  if (kind === 'object') app.hoverObject = id;
  else app.hoverProposal = id;
  li.classList.toggle('hover', id !== null);
  draw();
}

export function button(text, title, onClick) {
  const b = document.createElement('button');
  b.textContent = text;
  b.title = title;
  b.addEventListener('click', onClick);
  return b;
}
