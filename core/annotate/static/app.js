// samflow annotate: the page. Plain script, no build step. Talks to the routes of
// core/annotate/createAnnotationHandler.ts with relative URLs, so it works under any mount path.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const img = $('image');
  const canvas = $('overlay');
  const ctx = canvas.getContext('2d');
  const statusBar = $('status');
  const stageMessage = $('stageMessage');

  const PALETTE = [
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
  const CURRENT_COLOR = '#ffd400';
  const PROPOSAL_PALETTE = ['#00e5ff', '#ff9f1c', '#8338ec', '#06d6a0', '#ff006e', '#3a86ff', '#ffbe0b', '#fb5607'];
  const proposalColor = (i) => PROPOSAL_PALETTE[i % PROPOSAL_PALETTE.length];

  const app = {
    files: [],
    labels: [],
    proposalKinds: [],
    index: -1,
    file: null,
    width: 0,
    height: 0,
    done: false,
    objects: [],
    /** Undo stack of edit steps; the last one is current: {points, box, handle, mask, masks, choice, source} */
    steps: [],
    inflight: null,
    proposals: [],
    hoverObject: null,
    hoverProposal: null,
    layerCache: new Map(),
    openSeq: 0,
    drag: null,
    lastLatencyMs: null,
    /** Click-to-mask latency seen by the page: request sent → mask drawn (ms), with the server's share. */
    latencies: [],
    /** 'server' (default) or 'browser' (onnxruntime-web decodes with the served embedding) */
    decoderMode: 'server',
    browser: { info: null, session: null, loading: null, embeddingFile: null, embedding: null, counter: 0 },
  };
  window.samflowAnnotate = app; // for tests and debugging

  // ---------- HTTP ----------
  async function api(path, body) {
    const init = body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
    const res = await fetch(path, init);
    let data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    if (!res.ok) {
      const msg = data && data.error ? data.error.message : `${res.status} ${res.statusText}`;
      const err = new Error(msg);
      err.status = res.status;
      throw err;
    }
    return data;
  }

  function setStatus(text, state) {
    statusBar.textContent = text;
    statusBar.dataset.state = state || 'ready';
  }
  function showError(e) {
    setStatus(e && e.message ? e.message : String(e), 'error');
  }
  function showStageMessage(text, isError) {
    stageMessage.hidden = !text;
    stageMessage.textContent = text || '';
    stageMessage.classList.toggle('error', !!isError);
  }

  // ---------- COCO RLE (pycocotools string form) ----------
  function decodeCounts(s) {
    const counts = [];
    let p = 0;
    while (p < s.length) {
      let x = 0;
      let k = 0;
      let more = 1;
      while (more) {
        const c = s.charCodeAt(p) - 48;
        x |= (c & 0x1f) << (5 * k);
        more = c & 0x20;
        p++;
        k++;
        if (!more && c & 0x10) x |= -1 << (5 * k);
      }
      if (counts.length > 2) x += counts[counts.length - 2];
      counts.push(x);
    }
    return counts;
  }

  /** A canvas of the image's size with the mask's pixels in `color` (runs are column-major). */
  function rleLayer(rle, color) {
    const h = rle.size[0];
    const w = rle.size[1];
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
    const counts = decodeCounts(rle.counts);
    const inside = new Uint8Array(w * h);
    let idx = 0;
    for (let i = 0; i < counts.length; i++) {
      const n = counts[i];
      if (i % 2 === 1) {
        for (let k = idx; k < idx + n; k++) {
          const x = (k / h) | 0;
          inside[(k - x * h) * w + x] = 1;
        }
      }
      idx += n;
    }
    // fill, with a white outline where an inside pixel touches the outside
    const edge = 0xffffffff;
    for (let y = 0; y < h; y++) {
      for (let x = 0, i = y * w; x < w; x++, i++) {
        if (!inside[i]) continue;
        const border = x === 0 || x === w - 1 || y === 0 || y === h - 1 || !inside[i - 1] || !inside[i + 1] || !inside[i - w] || !inside[i + w];
        u32[i] = border ? edge : px;
      }
    }
    lctx.putImageData(data, 0, 0);
    return layer;
  }

  function cachedLayer(key, rle, color) {
    const k = `${key}|${color}`;
    let layer = app.layerCache.get(k);
    if (!layer) {
      layer = rleLayer(rle, color);
      app.layerCache.set(k, layer);
    }
    return layer;
  }

  /** Layer of a mask decoded in the browser (row-major 0/1 bytes). */
  function binaryLayer(key, bits, w, h, color) {
    const k = `${key}|${color}`;
    let layer = app.layerCache.get(k);
    if (layer) return layer;
    layer = document.createElement('canvas');
    layer.width = w;
    layer.height = h;
    const lctx = layer.getContext('2d');
    const data = lctx.createImageData(w, h);
    const u32 = new Uint32Array(data.data.buffer);
    const r = parseInt(color.slice(1, 3), 16);
    const g = parseInt(color.slice(3, 5), 16);
    const b = parseInt(color.slice(5, 7), 16);
    const px = (255 << 24) | (b << 16) | (g << 8) | r;
    for (let y = 0; y < h; y++) {
      for (let x = 0, i = y * w; x < w; x++, i++) {
        if (!bits[i]) continue;
        const border = x === 0 || x === w - 1 || y === 0 || y === h - 1 || !bits[i - 1] || !bits[i + 1] || !bits[i - w] || !bits[i + w];
        u32[i] = border ? 0xffffffff : px;
      }
    }
    lctx.putImageData(data, 0, 0);
    app.layerCache.set(k, layer);
    return layer;
  }

  function maskLayer(mask, color) {
    return mask.bits ? binaryLayer(mask.handle, mask.bits, app.width, app.height, color) : cachedLayer(mask.handle, mask.rle, color);
  }

  // ---------- drawing ----------
  function current() {
    return app.steps.length ? app.steps[app.steps.length - 1] : null;
  }
  /** The newest mask of the edit (while a click is being decoded, the previous one stays shown). */
  function latestMask() {
    for (let i = app.steps.length - 1; i >= 0; i--) if (app.steps[i].mask) return app.steps[i].mask;
    return null;
  }

  function pxScale() {
    const rect = canvas.getBoundingClientRect();
    return rect.width > 0 ? canvas.width / rect.width : 1;
  }

  function draw() {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!app.file) return;
    const s = pxScale();
    app.objects.forEach((o, i) => {
      ctx.globalAlpha = app.hoverObject === o.id ? 0.7 : 0.45;
      ctx.drawImage(cachedLayer(`o${o.id}`, o.rle, PALETTE[i % PALETTE.length]), 0, 0);
    });
    app.proposals.forEach((p, i) => {
      ctx.globalAlpha = app.hoverProposal === null ? 0.3 : app.hoverProposal === p.handle ? 0.75 : 0.08;
      ctx.drawImage(cachedLayer(p.handle, p.rle, proposalColor(i)), 0, 0);
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

  // ---------- side panel ----------
  function renderProgress() {
    const done = app.files.filter((f) => f.done).length;
    $('progress').textContent = `${done} / ${app.files.length} done`;
    $('position').textContent = app.files.length ? `${app.index + 1} / ${app.files.length}` : '–';
    $('prev').disabled = app.index <= 0;
    $('next').disabled = app.index < 0 || app.index >= app.files.length - 1;
  }

  function renderLabels() {
    const list = $('labels');
    list.replaceChildren(...app.labels.map((l) => Object.assign(document.createElement('option'), { value: l })));
  }

  function renderCurrent() {
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

  function renderObjects() {
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

  function renderProposals() {
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

  function hover(kind, id, li) {
    if (kind === 'object') app.hoverObject = id;
    else app.hoverProposal = id;
    li.classList.toggle('hover', id !== null);
    draw();
  }

  function button(text, title, onClick) {
    const b = document.createElement('button');
    b.textContent = text;
    b.title = title;
    b.addEventListener('click', onClick);
    return b;
  }

  function setObjects(res) {
    app.objects = res.objects;
    const entry = app.files.find((f) => f.file === app.file);
    if (entry) entry.objects = app.objects.length;
    for (const o of app.objects) if (!app.labels.includes(o.label)) app.labels.push(o.label);
    renderLabels();
    renderObjects();
    draw();
  }

  async function run(fn) {
    try {
      await fn();
    } catch (e) {
      showError(e);
    }
  }

  function move(i, delta) {
    const order = app.objects.map((o) => o.id);
    const j = i + delta;
    [order[i], order[j]] = [order[j], order[i]];
    run(async () => setObjects(await api('api/reorder', { file: app.file, order })));
  }

  // ---------- images ----------
  async function loadList() {
    const s = await api('api/images');
    app.files = s.files;
    app.labels = s.labels;
    app.proposalKinds = s.proposalKinds;
    $('proposalKind').replaceChildren(...s.proposalKinds.map((k) => Object.assign(document.createElement('option'), { value: k, textContent: k })));
    renderLabels();
    renderProposals();
    if (!$('label').value && app.labels.length) $('label').value = app.labels[0];
  }

  async function openIndex(i) {
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

  // ---------- clicks → masks ----------
  function pushStep(change) {
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

  function prevHandle(step) {
    const m = prevMask(step);
    return m ? m.handle : null;
  }
  function prevMask(step) {
    const i = app.steps.indexOf(step);
    for (let j = i - 1; j >= 0; j--) if (app.steps[j].mask) return app.steps[j].mask;
    return null;
  }

  // ---------- in-browser decoder (onnxruntime-web, WebAssembly) ----------
  function loadBrowserDecoder() {
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

  async function browserEmbedding(file) {
    const b = app.browser;
    if (b.embeddingFile === file && b.embedding) return b.embedding;
    const res = await fetch(`api/embedding?file=${encodeURIComponent(file)}`);
    if (!res.ok) throw new Error(`embedding of ${file}: ${res.status}`);
    const dims = (res.headers.get('X-Samflow-Dims') || '1,256,64,64').split(',').map(Number);
    b.embedding = new window.ort.Tensor('float32', new Float32Array(await res.arrayBuffer()), dims);
    b.embeddingFile = file;
    return b.embedding;
  }

  /** SAM's prompt encoding (ResizeLongestSide to 1024) and the official decoder, in the page. */
  async function decodeInBrowser(step) {
    const ort = window.ort;
    const session = await loadBrowserDecoder();
    const embedding = await browserEmbedding(app.file);
    const w = app.width;
    const h = app.height;
    const scale = 1024 / Math.max(w, h);
    const newW = Math.floor(w * scale + 0.5);
    const newH = Math.floor(h * scale + 0.5);
    const pts = step.points.map((p) => [p.x * (newW / w), p.y * (newH / h), p.label]);
    if (step.box) {
      const [x0, y0, x1, y1] = step.box;
      pts.push([x0 * (newW / w), y0 * (newH / h), 2], [x1 * (newW / w), y1 * (newH / h), 3]);
    } else pts.push([0, 0, -1]);
    const coords = new Float32Array(pts.length * 2); // float32[1,N,2]
    const labels = new Float32Array(pts.length); // float32[1,N]
    pts.forEach((p, i) => {
      coords[2 * i] = p[0];
      coords[2 * i + 1] = p[1];
      labels[i] = p[2];
    });
    const prev = prevMask(step);
    const maskInput = prev && prev.lowRes ? prev.lowRes : new Float32Array(256 * 256); // float32[1,1,256,256]
    const out = await session.run({
      image_embeddings: embedding,
      point_coords: new ort.Tensor('float32', coords, [1, pts.length, 2]),
      point_labels: new ort.Tensor('float32', labels, [1, pts.length]),
      mask_input: new ort.Tensor('float32', maskInput, [1, 1, 256, 256]),
      has_mask_input: new ort.Tensor('float32', new Float32Array([prev && prev.lowRes ? 1 : 0]), [1]),
      orig_im_size: new ort.Tensor('float32', new Float32Array([h, w]), [2]),
    });
    const ious = out.iou_predictions.data;
    let best = 0;
    for (let i = 1; i < ious.length; i++) if (ious[i] > ious[best]) best = i;
    const plane = w * h;
    const full = out.masks.data.subarray(best * plane, (best + 1) * plane); // float32[h*w] logits at the image size
    const bits = new Uint8Array(plane);
    let area = 0;
    for (let i = 0; i < plane; i++)
      if (full[i] > 0) {
        bits[i] = 1;
        area++;
      }
    const lowRes = new Float32Array(out.low_res_masks.data.subarray(best * 65536, (best + 1) * 65536));
    return { handle: `b${++app.browser.counter}`, score: ious[best], area, bits, lowRes };
  }

  function toBase64(f32) {
    const bytes = new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(bin);
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
    const run = app.decoderMode === 'browser' ? decodeInBrowser(step) : api('api/predict', { file: app.file, points: step.points, box: step.box, prev: prevHandle(step) });
    app.inflight = run
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

  /** Scale the image (up or down) to fill the stage, keeping its aspect ratio. */
  function fitImage() {
    if (!app.width) return;
    const stage = $('stage');
    const availW = Math.max(100, stage.clientWidth - 24);
    const availH = Math.max(100, stage.clientHeight - 24);
    const scale = Math.min(availW / app.width, availH / app.height);
    img.style.width = `${Math.floor(app.width * scale)}px`;
    img.style.height = `${Math.floor(app.height * scale)}px`;
  }

  function toImage(ev) {
    const rect = canvas.getBoundingClientRect();
    const x = ((ev.clientX - rect.left) / rect.width) * canvas.width;
    const y = ((ev.clientY - rect.top) / rect.height) * canvas.height;
    return { x: Math.max(0, Math.min(canvas.width - 1, x)), y: Math.max(0, Math.min(canvas.height - 1, y)) };
  }

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

  /** Show the next of SAM's masks for the current click; accepting or the next click uses it. */
  function cycleMask() {
    const step = current();
    if (!step || !step.masks || step.masks.length < 2) return;
    step.choice = (step.choice + 1) % step.masks.length;
    step.mask = step.masks[step.choice];
    step.handle = step.mask.handle;
    draw();
    renderCurrent();
  }

  function undo() {
    if (!app.steps.length) return;
    app.steps.pop();
    draw();
    predict();
  }
  function clearEdit() {
    app.steps = [];
    draw();
    renderCurrent();
  }

  async function acceptCurrent() {
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

  // ---------- proposals (stage 2) ----------
  async function propose() {
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
  async function acceptProposal(p) {
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
  function correctProposal(p) {
    dropProposal(p);
    if (p.label) $('label').value = p.label;
    app.steps = [{ points: (p.points || []).slice(), box: p.box || null, handle: p.handle, mask: p, source: 'proposal', proposal: p.handle }];
    draw();
    renderCurrent();
    setStatus('Correct the proposal with clicks, then accept.', 'ready');
  }

  // ---------- controls ----------
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
  $('rejectAll').addEventListener('click', () => {
    app.proposals = [];
    renderProposals();
    draw();
  });
  $('done').addEventListener('change', () => setDone($('done').checked));
  $('decoderMode').addEventListener('change', () => setDecoderMode($('decoderMode').value));
  async function setDecoderMode(mode) {
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
  async function setDone(done) {
    if (!app.file) return;
    await run(async () => {
      await api('api/done', { file: app.file, done });
      $('done').checked = done;
      const entry = app.files.find((f) => f.file === app.file);
      if (entry) entry.done = done;
      renderProgress();
    });
  }
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

  // ---------- start ----------
  (async () => {
    try {
      await loadList();
      if (app.files.length === 0) {
        showStageMessage('No images in this folder (jpg, png, webp, tif, gif, avif).', true);
        setStatus('No images.', 'error');
        renderProgress();
        return;
      }
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
      const m = /^#file=(.*)$/.exec(location.hash);
      const wanted = m ? decodeURIComponent(m[1]) : null;
      let i = wanted ? app.files.findIndex((f) => f.file === wanted) : -1;
      if (i < 0)
        i = Math.max(
          0,
          app.files.findIndex((f) => !f.done),
        );
      await openIndex(i);
    } catch (e) {
      showStageMessage(`Cannot load the image list: ${e.message}`, true);
      showError(e);
    }
  })();
})();
