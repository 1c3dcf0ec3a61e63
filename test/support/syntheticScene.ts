import sharp from 'sharp';
import type { BinaryMask } from '../../core/types';

/** A shape drawn into a synthetic test scene. */
export type Shape = { kind: 'circle'; cx: number; cy: number; r: number; color: string } | { kind: 'rect'; x: number; y: number; w: number; h: number; color: string };

/** A textured background (deterministic noise + stripes) so the encoder sees a real-looking scene. */
function backgroundSvg(width: number, height: number): string {
  return `<rect width="${width}" height="${height}" fill="#b9b2a2"/>
  <defs><pattern id="p" width="24" height="24" patternUnits="userSpaceOnUse" patternTransform="rotate(30)">
  <rect width="12" height="24" fill="#a8a192"/></pattern></defs>
  <rect width="${width}" height="${height}" fill="url(#p)"/>`;
}

function shapeSvg(s: Shape): string {
  return s.kind === 'circle'
    ? `<circle cx="${s.cx}" cy="${s.cy}" r="${s.r}" fill="${s.color}"/>`
    : `<rect x="${s.x}" y="${s.y}" width="${s.w}" height="${s.h}" fill="${s.color}"/>`;
}

/** Renders shapes on a textured background with sharp; returns PNG bytes. */
export async function renderScene(width: number, height: number, shapes: readonly Shape[]): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${backgroundSvg(width, height)}${shapes.map(shapeSvg).join('')}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** The ground-truth mask of one shape (pixel centres inside the shape). */
export function shapeMask(width: number, height: number, s: Shape): BinaryMask {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const inside = s.kind === 'circle' ? (px - s.cx) ** 2 + (py - s.cy) ** 2 <= s.r ** 2 : px >= s.x && px <= s.x + s.w && py >= s.y && py <= s.y + s.h;
      data[y * width + x] = inside ? 1 : 0;
    }
  }
  return { width, height, data };
}

/** Intersection over union of two same-size masks. */
export function iou(a: BinaryMask, b: BinaryMask): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`mask sizes differ: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    const p = a.data[i] > 0;
    const q = b.data[i] > 0;
    if (p && q) inter++;
    if (p || q) union++;
  }
  return union === 0 ? 1 : inter / union;
}
