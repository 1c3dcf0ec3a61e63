// The accepted objects of the open image: the list (rename, reorder, delete) and its updates.
import { api } from './api.js';
import { draw } from './draw.js';
import { PALETTE } from './layers.js';
import { button, hover, renderLabels } from './panel.js';
import { $, app } from './state.js';
import { run } from './status.js';

export function renderObjects() {
  $('objectCount').textContent = String(app.objects.length);
  const items = app.objects.map((o, i) => {
    const li = document.createElement('li');
    li.dataset.id = String(o.id);
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = PALETTE[i % PALETTE.length];
    const input = document.createElement('input');
    input.value = o.label;
    input.title = 'Rename';
    input.setAttribute('list', 'labels');
    input.addEventListener('change', () => run(async () => setObjects(await api('api/relabel', { file: app.file, id: o.id, label: input.value }))));
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = `${o.area}px`;
    const up = button('↑', 'Move up', () => move(i, -1));
    up.disabled = i === 0;
    const down = button('↓', 'Move down', () => move(i, 1));
    down.disabled = i === app.objects.length - 1;
    const del = button('✕', 'Delete', () => run(async () => setObjects(await api('api/delete', { file: app.file, id: o.id }))));
    del.className = 'delete';
    li.append(sw, input, meta, up, down, del);
    li.addEventListener('mouseenter', () => hover('object', o.id, li));
    li.addEventListener('mouseleave', () => hover('object', null, li));
    return li;
  });
  $('objects').replaceChildren(...items);
}

/** The server's answer with the image's objects: show them, learn their labels. */
export function setObjects(res) {
  app.objects = res.objects;
  const entry = app.files.find((f) => f.file === app.file);
  if (entry) entry.objects = app.objects.length;
  for (const o of app.objects) if (!app.labels.includes(o.label)) app.labels.push(o.label);
  renderLabels();
  renderObjects();
  draw();
}

function move(i, delta) {
  const order = app.objects.map((o) => o.id);
  const j = i + delta;
  [order[i], order[j]] = [order[j], order[i]];
  run(async () => setObjects(await api('api/reorder', { file: app.file, order })));
}
