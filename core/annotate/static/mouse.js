// The mouse on the image: a click adds a point (right or shift: negative), a drag draws a box.
import { draw } from './draw.js';
import { pushStep } from './edit.js';
import { app, canvas } from './state.js';

/** Event position → image pixel (clamped to the image). */
function toImage(ev) {
  const rect = canvas.getBoundingClientRect();
  const x = ((ev.clientX - rect.left) / rect.width) * canvas.width;
  const y = ((ev.clientY - rect.top) / rect.height) * canvas.height;
  return { x: Math.max(0, Math.min(canvas.width - 1, x)), y: Math.max(0, Math.min(canvas.height - 1, y)) };
}

export function bindMouse() {
  canvas.addEventListener('contextmenu', (ev) => ev.preventDefault());
  canvas.addEventListener('mousedown', (ev) => {
    if (!app.file) return;
    ev.preventDefault();
    const p = toImage(ev);
    app.drag = { x0: p.x, y0: p.y, x1: p.x, y1: p.y, button: ev.button, shift: ev.shiftKey, moved: false, cx: ev.clientX, cy: ev.clientY };
  });
  window.addEventListener('mousemove', (ev) => {
    if (!app.drag) return;
    const p = toImage(ev);
    app.drag.x1 = p.x;
    app.drag.y1 = p.y;
    if (Math.hypot(ev.clientX - app.drag.cx, ev.clientY - app.drag.cy) > 5 && app.drag.button === 0) app.drag.moved = true;
    if (app.drag.moved) draw();
  });
  window.addEventListener('mouseup', () => {
    const d = app.drag;
    if (!d) return;
    app.drag = null;
    if (d.moved) {
      const box = [Math.min(d.x0, d.x1), Math.min(d.y0, d.y1), Math.max(d.x0, d.x1), Math.max(d.y0, d.y1)].map((v) => Math.round(v * 10) / 10);
      pushStep((s) => {
        s.box = box;
      });
    } else {
      const label = d.button === 2 || d.shift ? 0 : 1;
      pushStep((s) => {
        s.points.push({ x: Math.round(d.x0 * 10) / 10, y: Math.round(d.y0 * 10) / 10, label });
      });
    }
  });
}
