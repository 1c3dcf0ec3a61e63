// The overlay canvas: saved objects, proposals, the mask being edited, its box and clicks.
import { CURRENT_COLOR, PALETTE, maskLayer, proposalColor, rleLayer } from './layers.js';
import { $, app, canvas, current, img, latestMask } from './state.js';

const ctx = canvas.getContext('2d');

/** Canvas pixels per CSS pixel (so points and lines keep their on-screen size). */
function pxScale() {
  const rect = canvas.getBoundingClientRect();
  return rect.width > 0 ? canvas.width / rect.width : 1;
}

export function draw() {
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!app.file) return;
  const s = pxScale();
  app.objects.forEach((o, i) => {
    ctx.globalAlpha = app.hoverObject === o.id ? 0.7 : 0.45;
    ctx.drawImage(rleLayer(`o${o.id}`, o.rle, PALETTE[i % PALETTE.length]), 0, 0);
  });
  app.proposals.forEach((p, i) => {
    ctx.globalAlpha = app.hoverProposal === null ? 0.3 : app.hoverProposal === p.handle ? 0.75 : 0.08;
    ctx.drawImage(rleLayer(p.handle, p.rle, proposalColor(i)), 0, 0);
  });
  const step = current();
  const mask = latestMask();
  if (mask) {
    ctx.globalAlpha = 0.5;
    ctx.drawImage(maskLayer(mask, CURRENT_COLOR), 0, 0);
  }
  ctx.globalAlpha = 1;
  if (step && step.box) {
    const [x0, y0, x1, y1] = step.box;
    ctx.lineWidth = 2 * s;
    ctx.strokeStyle = '#1f6feb';
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
  }
  if (app.drag && app.drag.moved) {
    const { x0, y0, x1, y1 } = app.drag;
    ctx.setLineDash([6 * s, 4 * s]);
    ctx.lineWidth = 2 * s;
    ctx.strokeStyle = '#1f6feb';
    ctx.strokeRect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
    ctx.setLineDash([]);
  }
  if (step) {
    for (const p of step.points) {
      ctx.beginPath();
      ctx.arc(p.x, p.y, 6 * s, 0, Math.PI * 2);
      ctx.fillStyle = p.label === 1 ? '#20c997' : '#ff3b30';
      ctx.fill();
      ctx.lineWidth = 2 * s;
      ctx.strokeStyle = '#fff';
      ctx.stroke();
    }
  }
  canvas.dataset.maskArea = step && step.mask ? String(step.mask.area) : '0';
  canvas.dataset.maskChoice = step && step.masks ? `${step.choice + 1}/${step.masks.length}` : '';
}

/** Scale the image (up or down) to fill the stage, keeping its aspect ratio. */
export function fitImage() {
  if (!app.width) return;
  const stage = $('stage');
  const availW = Math.max(100, stage.clientWidth - 24);
  const availH = Math.max(100, stage.clientHeight - 24);
  const scale = Math.min(availW / app.width, availH / app.height);
  img.style.width = `${Math.floor(app.width * scale)}px`;
  img.style.height = `${Math.floor(app.height * scale)}px`;
}
