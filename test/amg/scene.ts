import sharp from 'sharp';
import { decodeImage } from '../../core/image';
import type { BinaryMask, Frame } from '../../core/types';

export const W = 600;
export const H = 400;
export type Rect = { x: number; y: number; w: number; h: number; rgb: [number, number, number] };

export const RED: Rect = { x: 40, y: 40, w: 160, h: 120, rgb: [220, 30, 30] };
export const GREEN: Rect = { x: 330, y: 60, w: 200, h: 100, rgb: [30, 200, 40] };
export const BLUE: Rect = { x: 150, y: 240, w: 260, h: 120, rgb: [30, 40, 220] };

/** PNG bytes of flat rectangles on a grey background. */
export async function scenePng(rects: readonly Rect[]): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="rgb(90,90,90)"/>${rects
    .map((r) => `<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" fill="rgb(${r.rgb.join(',')})" shape-rendering="crispEdges"/>`)
    .join('')}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export async function sceneFrame(rects: readonly Rect[]): Promise<Frame> {
  return decodeImage(await scenePng(rects), { id: 'scene' });
}

export function rectMask(r: Rect): BinaryMask {
  const data = new Uint8Array(W * H);
  for (let y = r.y; y < r.y + r.h; y++) data.fill(1, y * W + r.x, y * W + r.x + r.w);
  return { width: W, height: H, data };
}
