import { LOW_RES_SIZE, type BoxXyxy, type MaskCandidate } from '../types';

/**
 * Bounding box (XYXY, SAM's inclusive convention: x1/y1 are the last inside pixel) of a candidate's
 * mask (logits > `maskThreshold`), computed on the low-res logits and mapped to original pixels of
 * the candidate's frame, without upscaling. Each low-res pixel covers 4 model pixels; its extent in
 * original pixels is rounded outwards. An empty mask gives [0, 0, 0, 0] as SAM.
 */
export function lowResMaskBoxXyxy(c: Pick<MaskCandidate, 'lowResLogits' | 'transform'>, maskThreshold = 0): BoxXyxy {
  const t = c.transform;
  const [vw, vh] = t.lowResValid;
  const w = Math.min(vw, LOW_RES_SIZE);
  const h = Math.min(vh, LOW_RES_SIZE);
  const l = c.lowResLogits;
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * LOW_RES_SIZE;
    for (let x = 0; x < w; x++) {
      if (l[row + x] > maskThreshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  if (x1 < 0) return [0, 0, 0, 0];
  const up = t.targetLength / LOW_RES_SIZE;
  const W = t.originalWidth;
  const H = t.originalHeight;
  return [
    Math.max(0, Math.floor(t.toOriginalX(x0 * up))),
    Math.max(0, Math.floor(t.toOriginalY(y0 * up))),
    Math.min(W - 1, Math.ceil(t.toOriginalX((x1 + 1) * up)) - 1),
    Math.min(H - 1, Math.ceil(t.toOriginalY((y1 + 1) * up)) - 1),
  ];
}
