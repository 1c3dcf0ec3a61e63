// samflow annotate: the page's entry module. ES modules, no build step: the page's own modules
// sit beside this file, and the core's coordinate transform, prompt encoding and RLE decoding are
// imported from the core's browser build (served under core/). Talks to the routes of
// core/annotate/createAnnotationHandler.ts with relative URLs, so it works under any mount path.
import { offerBrowserDecoder } from './browserDecoder.js';
import { loadList, openIndex } from './images.js';
import { bindControls, bindKeys } from './keys.js';
import { bindMouse } from './mouse.js';
import { renderProgress } from './panel.js';
import { app } from './state.js';
import { setStatus, showError, showStageMessage } from './status.js';

bindMouse();
bindControls();
bindKeys();

try {
  await loadList();
  if (app.files.length === 0) {
    showStageMessage('No images in this folder (jpg, png, webp, tif, gif, avif).', true);
    setStatus('No images.', 'error');
    renderProgress();
  } else {
    offerBrowserDecoder();
    const m = /^#file=(.*)$/.exec(location.hash);
    const wanted = m ? decodeURIComponent(m[1]) : null;
    let i = wanted ? app.files.findIndex((f) => f.file === wanted) : -1;
    if (i < 0)
      i = Math.max(
        0,
        app.files.findIndex((f) => !f.done),
      );
    await openIndex(i);
  }
} catch (e) {
  showStageMessage(`Cannot load the image list: ${e.message}`, true);
  showError(e);
}
