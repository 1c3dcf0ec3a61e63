import type { BoxXyxy, Frame } from '../types';

/** The pixels of `frame` inside `cropBox` (XYXY, integer) as a new Frame (id `<id>#crop<x0>,<y0>,<x1>,<y1>`). */
export function cropFrame(frame: Frame, cropBox: BoxXyxy): Frame {
  const [x0, y0, x1, y1] = cropBox;
  if (x0 === 0 && y0 === 0 && x1 === frame.width && y1 === frame.height) return frame;
  const w = x1 - x0;
  const h = y1 - y0;
  const rgb = new Uint8Array(w * h * 3); // uint8[h,w,3]
  for (let y = 0; y < h; y++) {
    const src = ((y + y0) * frame.width + x0) * 3;
    rgb.set(frame.rgb.subarray(src, src + w * 3), y * w * 3);
  }
  return { id: `${frame.id}#crop${x0},${y0},${x1},${y1}`, width: w, height: h, rgb, timestamp: frame.timestamp };
}
