// Mask layers: a canvas of the image's size per mask, filled with its colour and outlined in white.
// COCO RLE is decoded by the core's own rleToMask (served from the browser build under core/).
import { rleToMask } from './core/masks/rleToMask.js';
import { app } from './state.js';

export const PALETTE = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#f032e6',
  '#bfef45',
  '#fabed4',
  '#469990',
  '#dcbeff',
  '#9a6324',
  '#800000',
  '#aaffc3',
  '#808000',
  '#000075',
];
export const CURRENT_COLOR = '#ffd400';
const PROPOSAL_PALETTE = ['#00e5ff', '#ff9f1c', '#8338ec', '#06d6a0', '#ff006e', '#3a86ff', '#ffbe0b', '#fb5607'];
export const proposalColor = (i) => PROPOSAL_PALETTE[i % PROPOSAL_PALETTE.length];

/** A canvas with the row-major 0/1 `bits` (w×h) in `color`, white where the mask meets its outside. */
function bitsLayer(bits, w, h, color) {
  const layer = document.createElement('canvas');
  layer.width = w;
  layer.height = h;
  const lctx = layer.getContext('2d');
  const data = lctx.createImageData(w, h);
  const u32 = new Uint32Array(data.data.buffer);
  const r = parseInt(color.slice(1, 3), 16);
  const g = parseInt(color.slice(3, 5), 16);
  const b = parseInt(color.slice(5, 7), 16);
  const px = (255 << 24) | (b << 16) | (g << 8) | r; // little-endian RGBA
  const edge = 0xffffffff;
  for (let y = 0; y < h; y++) {
    for (let x = 0, i = y * w; x < w; x++, i++) {
      if (!bits[i]) continue;
      const border = x === 0 || x === w - 1 || y === 0 || y === h - 1 || !bits[i - 1] || !bits[i + 1] || !bits[i - w] || !bits[i + w];
      u32[i] = border ? edge : px;
    }
  }
  lctx.putImageData(data, 0, 0);
  return layer;
}

function cached(key, color, make) {
  const k = `${key}|${color}`;
  let layer = app.layerCache.get(k);
  if (!layer) {
    layer = make();
    app.layerCache.set(k, layer);
  }
  return layer;
}

/** Layer of a COCO RLE mask (the server's answers and saved objects). */
export function rleLayer(key, rle, color) {
  return cached(key, color, () => {
    const m = rleToMask(rle);
    return bitsLayer(m.data, m.width, m.height, color);
  });
}

/** Layer of a mask shown in the edit: decoded in the browser (bits) or by the server (RLE). */
export function maskLayer(mask, color) {
  return mask.bits ? cached(mask.handle, color, () => bitsLayer(mask.bits, app.width, app.height, color)) : rleLayer(mask.handle, mask.rle, color);
}
