// The status bar and the message over the image.
import { $ } from './state.js';

const statusBar = $('status');
const stageMessage = $('stageMessage');

export function setStatus(text, state) {
  statusBar.textContent = text;
  statusBar.dataset.state = state || 'ready';
}

export function showError(e) {
  setStatus(e && e.message ? e.message : String(e), 'error');
}

export function showStageMessage(text, isError) {
  stageMessage.hidden = !text;
  stageMessage.textContent = text || '';
  stageMessage.classList.toggle('error', !!isError);
}

/** Run an action, showing its error in the status bar instead of throwing. */
export async function run(fn) {
  try {
    await fn();
  } catch (e) {
    showError(e);
  }
}
