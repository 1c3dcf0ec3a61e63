import type { Polygon } from '../../core/masks';
import type { BinaryMask } from '../../core/types';

/** Builds a mask from rows of '0'/'1' characters (or '.'/'#'). */
export function maskFromRows(rows: string[]): BinaryMask {
  const height = rows.length;
  const width = rows[0].length;
  const data = new Uint8Array(width * height);
  rows.forEach((r, y) => [...r].forEach((ch, x) => (data[y * width + x] = ch === '1' || ch === '#' ? 1 : 0)));
  return { width, height, data };
}

/** Rows of '0'/'1' for a mask (for readable expectations). */
export function rowsOf(m: BinaryMask): string[] {
  const rows: string[] = [];
  for (let y = 0; y < m.height; y++) rows.push(Array.from(m.data.subarray(y * m.width, (y + 1) * m.width)).join(''));
  return rows;
}

/** A w×h mask with the given filled rectangles [x0, y0, x1, y1) (exclusive ends). */
export function rectsMask(width: number, height: number, rects: Array<[number, number, number, number]>): BinaryMask {
  const data = new Uint8Array(width * height);
  for (const [x0, y0, x1, y1] of rects) for (let y = y0; y < y1; y++) data.fill(1, y * width + x0, y * width + x1);
  return { width, height, data };
}

/** A filled disc (pixel centres within radius r of (cx, cy)). */
export function discMask(width: number, height: number, cx: number, cy: number, r: number, into?: BinaryMask): BinaryMask {
  const data = into ? into.data : new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r) data[y * width + x] = 1;
  return { width, height, data };
}

/**
 * Test-side rasteriser: a pixel is inside when its centre (x + 0.5, y + 0.5) is inside an odd number
 * of rings (even-odd rule over exterior and holes) — a scanline crossing count per pixel.
 */
export function rasterize(polys: readonly Polygon[], width: number, height: number): BinaryMask {
  const data = new Uint8Array(width * height);
  const rings = polys.flatMap((p) => [p.exterior, ...p.holes]);
  for (let y = 0; y < height; y++) {
    const cy = y + 0.5;
    for (let x = 0; x < width; x++) {
      const cx = x + 0.5;
      let odd = false;
      for (const ring of rings) {
        for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          const [xi, yi] = ring[i];
          const [xj, yj] = ring[j];
          if (yi > cy !== yj > cy && cx < ((xj - xi) * (cy - yi)) / (yj - yi) + xi) odd = !odd;
        }
      }
      data[y * width + x] = odd ? 1 : 0;
    }
  }
  return { width, height, data };
}
