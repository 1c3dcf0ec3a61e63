// The page's state: one object shared by every module (and exposed as window.samflowAnnotate
// for tests and debugging), plus the element lookup and the edit-step helpers.

export const $ = (id) => document.getElementById(id);
export const img = $('image');
export const canvas = $('overlay');

export const app = {
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
window.samflowAnnotate = app;

/** The edit step being shown (the last of the undo stack). */
export function current() {
  return app.steps.length ? app.steps[app.steps.length - 1] : null;
}

/** The newest mask of the edit (while a click is being decoded, the previous one stays shown). */
export function latestMask() {
  for (let i = app.steps.length - 1; i >= 0; i--) if (app.steps[i].mask) return app.steps[i].mask;
  return null;
}

/** The mask of the step before `step`: its logits go back into the decoder (SAM's refinement). */
export function prevMask(step) {
  const i = app.steps.indexOf(step);
  for (let j = i - 1; j >= 0; j--) if (app.steps[j].mask) return app.steps[j].mask;
  return null;
}

export function prevHandle(step) {
  const m = prevMask(step);
  return m ? m.handle : null;
}
