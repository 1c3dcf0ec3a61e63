// The optional in-browser decoder (onnxruntime-web on WebAssembly, as SAM's demo does): the page
// downloads the decoder once and each image's embedding, then decodes clicks itself. The prompt
// goes through the core's own SamTransform and encodePrompts, and SAM's multimask rule is the
// core's wantsMultimask (all served from the browser build). When the server's model exposes SAM's
// 4 masks, the decoder served here is that same 4-mask rewrite, so a lone click offers 3 masks.
import { SamTransform } from './core/geometry/SamTransform.js';
import { wantsMultimask } from './core/model/decodeMasks.js';
import { encodePrompts } from './core/prompts/encodePrompts.js';
import { api } from './api.js';
import { draw } from './draw.js';
import { renderCurrent } from './panel.js';
import { $, app, prevMask } from './state.js';
import { setStatus, showError } from './status.js';

const LOW_RES_PLANE = 256 * 256;

export function loadBrowserDecoder() {
  const b = app.browser;
  if (b.loading) return b.loading;
  b.loading = (async () => {
    const info = b.info || (b.info = await api('api/browser-decoder'));
    if (!info.available) throw new Error(`in-browser decoder not available: ${info.reason}`);
    if (!window.ort) {
      await new Promise((resolve, reject) => {
        const el = document.createElement('script');
        el.src = info.ortScriptUrl;
        el.onload = resolve;
        el.onerror = () => reject(new Error('could not load onnxruntime-web'));
        document.head.appendChild(el);
      });
    }
    const ort = window.ort;
    ort.env.wasm.wasmPaths = new URL(info.wasmPathsUrl, location.href).href;
    ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.max(1, Math.min(2, navigator.hardwareConcurrency || 1)) : 1;
    b.session = await ort.InferenceSession.create(new URL(info.decoderUrl, location.href).href, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    return b.session;
  })();
  b.loading.catch(() => {
    b.loading = null;
  });
  return b.loading;
}

export async function browserEmbedding(file) {
  const b = app.browser;
  if (b.embeddingFile === file && b.embedding) return b.embedding;
  const res = await fetch(`api/embedding?file=${encodeURIComponent(file)}`);
  if (!res.ok) throw new Error(`embedding of ${file}: ${res.status}`);
  const dims = (res.headers.get('X-Samflow-Dims') || '1,256,64,64').split(',').map(Number);
  b.embedding = new window.ort.Tensor('float32', new Float32Array(await res.arrayBuffer()), dims);
  b.embeddingFile = file;
  return b.embedding;
}

/** One edit step decoded in the page: SAM's prompt encoding (the core's), then the ONNX decoder. */
export async function decodeInBrowser(step) {
  const ort = window.ort;
  const session = await loadBrowserDecoder();
  const embedding = await browserEmbedding(app.file);
  const w = app.width;
  const h = app.height;
  const prev = prevMask(step);
  const prompt = { points: step.points, ...(step.box ? { box: step.box } : {}), ...(prev && prev.lowRes ? { maskInput: prev.lowRes } : {}) };
  const feeds = encodePrompts(prompt, new SamTransform(w, h));
  const out = await session.run({
    image_embeddings: embedding,
    point_coords: new ort.Tensor('float32', feeds.pointCoords, [1, feeds.numPoints, 2]),
    point_labels: new ort.Tensor('float32', feeds.pointLabels, [1, feeds.numPoints]),
    mask_input: new ort.Tensor('float32', feeds.maskInput, [1, 1, 256, 256]),
    has_mask_input: new ort.Tensor('float32', feeds.hasMaskInput, [1]),
    orig_im_size: new ort.Tensor('float32', feeds.origImSize, [2]),
  });
  const ious = out.iou_predictions.data;
  // as decodeMasks on the server: a decoder with several masks gives tokens 1–3 for SAM's lone
  // click, token 0 otherwise; a single-mask decoder its one mask. Best first.
  const indices = ious.length <= 1 ? [0] : wantsMultimask(prompt) ? Array.from({ length: ious.length - 1 }, (_, i) => i + 1) : [0];
  indices.sort((a, b) => ious[b] - ious[a]);
  const [best, ...others] = indices.map((k) => browserMask(out, k, w * h));
  return others.length ? { ...best, alternatives: others } : best;
}

/** Mask token `k` of a decoder run: its pixels at the image size, its low-res logits and IoU. */
function browserMask(out, k, plane) {
  const full = out.masks.data.subarray(k * plane, (k + 1) * plane); // float32[h*w] logits at the image size
  const bits = new Uint8Array(plane);
  let area = 0;
  for (let i = 0; i < plane; i++)
    if (full[i] > 0) {
      bits[i] = 1;
      area++;
    }
  const lowRes = new Float32Array(out.low_res_masks.data.subarray(k * LOW_RES_PLANE, (k + 1) * LOW_RES_PLANE)); // float32[256*256]
  return { handle: `b${++app.browser.counter}`, score: out.iou_predictions.data[k], maskIndex: k, area, bits, lowRes };
}

/** Switch where clicks are decoded ('server' or 'browser'); the choice is remembered. */
export async function setDecoderMode(mode) {
  app.steps = [];
  draw();
  renderCurrent();
  if (mode === 'browser') {
    setStatus('Loading the decoder into the browser…', 'busy');
    try {
      await loadBrowserDecoder();
      if (app.file) await browserEmbedding(app.file);
      app.decoderMode = 'browser';
      setStatus(`Clicks are decoded in this browser (WebAssembly, ${window.ort.env.wasm.numThreads} thread${window.ort.env.wasm.numThreads > 1 ? 's' : ''})`, 'ready');
    } catch (e) {
      app.decoderMode = 'server';
      $('decoderMode').value = 'server';
      showError(e);
    }
  } else {
    app.decoderMode = 'server';
    setStatus('Clicks are decoded on the server', 'ready');
  }
  try {
    localStorage.setItem('samflow.decoderMode', app.decoderMode);
  } catch {
    // storage may be off
  }
}

/** Offer the in-browser mode when the server has its files; restore the remembered choice. */
export function offerBrowserDecoder() {
  api('api/browser-decoder')
    .then((info) => {
      app.browser.info = info;
      const opt = $('decoderMode').querySelector('option[value="browser"]');
      opt.disabled = !info.available;
      if (!info.available) opt.textContent = 'in browser (not available)';
      let saved = null;
      try {
        saved = localStorage.getItem('samflow.decoderMode');
      } catch {
        saved = null;
      }
      if (saved === 'browser' && info.available) {
        $('decoderMode').value = 'browser';
        setDecoderMode('browser');
      }
    })
    .catch(() => undefined);
}
