import { SamflowError } from '../errors';
import type { BinaryMask } from '../types';
import { assertBinaryMask } from './assertBinaryMask';
import { labelComponents } from './labelComponents';
import { simplifyRing, type PolygonPoint } from './simplifyRing';

/**
 * One 8-connected region of a mask as a polygon with holes, in pixel-corner coordinates: pixel
 * (x, y) is the unit square [x, x+1] × [y, y+1], so an unsimplified polygon covers exactly the
 * mask's pixels (sampling at pixel centres gives the mask back).
 *
 * `exterior` runs clockwise on screen (y down; positive shoelace area), each ring in `holes`
 * counter-clockwise. Rings are not closed (the first point is not repeated).
 */
export interface Polygon {
  readonly exterior: PolygonPoint[];
  readonly holes: PolygonPoint[][];
}

/** Options for {@link maskToPolygons}. */
export interface MaskToPolygonsOptions {
  /** Douglas–Peucker tolerance in pixels (default 1; 0 keeps every corner of the pixel outline). */
  readonly tolerance?: number;
  /** Drop regions whose pixel area is below this (default 0: keep all). */
  readonly minArea?: number;
}

// Directions: 0 = east (+x), 1 = south (+y), 2 = west, 3 = north. Turning left is (d + 3) % 4.
const DX = [1, 0, -1, 0];
const DY = [0, 1, 0, -1];
// For direction d at a vertex (vx, vy), the pixel ahead-left is (vx + AL_X[d], vy + AL_Y[d]) and
// ahead-right is (vx + AR_X[d], vy + AR_Y[d]) (pixels named by their top-left corner).
const AL_X = [0, 0, -1, -1];
const AL_Y = [-1, 0, 0, -1];
const AR_X = [0, -1, -1, 0];
const AR_Y = [0, 0, -1, -1];

/**
 * Outlines of a mask as polygons with holes (one {@link Polygon} per 8-connected foreground
 * region, in raster order of the region's first pixel), simplified with Douglas–Peucker.
 *
 * The outlines follow pixel edges ("crack following"): the region stays on the right of the
 * direction of travel, and at a vertex where two inside pixels touch only diagonally the trace
 * turns so that they stay one region (8-connected foreground, 4-connected holes, as OpenCV's
 * `findContours` with `RETR_CCOMP`). Each hole belongs to the region that surrounds it; a region
 * inside a hole is a polygon of its own.
 *
 * @param mask Row-major binary mask.
 * @param opts `tolerance` (px, default 1), `minArea` (px, default 0).
 * @returns Polygons in pixel coordinates; `[]` for an empty mask.
 */
export function maskToPolygons(mask: BinaryMask, opts: MaskToPolygonsOptions = {}): Polygon[] {
  assertBinaryMask(mask, 'maskToPolygons: mask');
  const tolerance = opts.tolerance ?? 1;
  const minArea = opts.minArea ?? 0;
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw new SamflowError('BAD_OPTION', `maskToPolygons: tolerance must be a finite number >= 0 (pixels), got ${tolerance}.`);
  }
  if (!(minArea >= 0)) {
    throw new SamflowError('BAD_OPTION', `maskToPolygons: minArea must be >= 0 (pixels), got ${minArea}.`);
  }
  const { width: w, height: h, data } = mask;
  const { labels, count, sizes } = labelComponents(data, w, h, true);
  const inside = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < w && y < h && data[y * w + x] !== 0;

  const exteriors: Array<PolygonPoint[] | undefined> = new Array<PolygonPoint[] | undefined>(count + 1);
  const holes: PolygonPoint[][][] = [];
  for (let k = 0; k <= count; k++) holes.push([]);
  // visitedTop[i] = 1 once the top edge of inside pixel i has been traced (every ring has one).
  const visitedTop = new Uint8Array(w * h);

  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (data[i] === 0 || visitedTop[i] !== 0 || inside(x, y - 1)) continue;
      const label = labels[i];
      if (sizes[label] < minArea) continue;
      const ring = traceRing(x, y, inside, visitedTop, w);
      if (signedArea2(ring) > 0) exteriors[label] = ring;
      else holes[label].push(ring);
    }
  }

  const out: Polygon[] = [];
  for (let k = 1; k <= count; k++) {
    const ext = exteriors[k];
    if (ext === undefined) continue;
    out.push({
      exterior: simplifyRing(ext, tolerance),
      holes: holes[k].map((r) => simplifyRing(r, tolerance)),
    });
  }
  return out;
}

/**
 * Follows one ring of pixel edges starting east along the top edge of inside pixel (sx, sy),
 * marking the top edges it passes. Returns the corners (vertices where the direction changes).
 */
function traceRing(sx: number, sy: number, inside: (x: number, y: number) => boolean, visitedTop: Uint8Array, w: number): PolygonPoint[] {
  const ring: PolygonPoint[] = [];
  let vx = sx;
  let vy = sy;
  let d = 0;
  for (;;) {
    if (d === 0) visitedTop[vy * w + vx] = 1; // moving east along the top edge of pixel (vx, vy)
    vx += DX[d];
    vy += DY[d];
    // Region on the right: ahead-left inside → turn left (also at diagonal contacts, which keeps
    // 8-connected pixels in one ring); ahead-right inside → straight; else turn right.
    let nd: number;
    if (inside(vx + AL_X[d], vy + AL_Y[d])) nd = (d + 3) & 3;
    else if (inside(vx + AR_X[d], vy + AR_Y[d])) nd = d;
    else nd = (d + 1) & 3;
    if (nd !== d) ring.push([vx, vy]);
    d = nd;
    if (vx === sx && vy === sy && d === 0) return ring;
  }
}

/** Twice the shoelace area (positive for clockwise rings on screen, y down). */
function signedArea2(ring: readonly PolygonPoint[]): number {
  let a = 0;
  for (let i = 0, n = ring.length; i < n; i++) {
    const [x1, y1] = ring[i];
    const [x2, y2] = ring[(i + 1) % n];
    a += x1 * y2 - x2 * y1;
  }
  return a;
}
