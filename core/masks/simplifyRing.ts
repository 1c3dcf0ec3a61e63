/** A point [x, y] in pixel coordinates. */
export type PolygonPoint = [number, number];

/**
 * Douglas–Peucker simplification of a closed ring (first point not repeated at the end): keeps
 * the vertices that lie farther than `tolerance` from the chords of the simplified ring. The ring
 * is split at its first point and the vertex farthest from it, and each half is simplified with an
 * explicit stack (no recursion). With `tolerance <= 0`, or if simplifying would leave fewer than 3
 * vertices, the ring is returned unchanged.
 *
 * @param ring Vertices of a closed ring.
 * @param tolerance Maximum distance in pixels between the ring and its simplification.
 */
export function simplifyRing(ring: readonly PolygonPoint[], tolerance: number): PolygonPoint[] {
  const n = ring.length;
  if (tolerance <= 0 || n <= 3) return ring.slice();
  // Split at vertex 0 and the vertex farthest from it.
  let far = 0;
  let farD = -1;
  const [x0, y0] = ring[0];
  for (let i = 1; i < n; i++) {
    const d = (ring[i][0] - x0) ** 2 + (ring[i][1] - y0) ** 2;
    if (d > farD) {
      farD = d;
      far = i;
    }
  }
  const keep = new Uint8Array(n + 1); // index n stands for vertex 0 again (closing the ring)
  keep[0] = 1;
  keep[far] = 1;
  keep[n] = 1;
  const at = (i: number): PolygonPoint => ring[i === n ? 0 : i];
  const stack: number[] = [0, far, far, n];
  const tol2 = tolerance * tolerance;
  while (stack.length > 0) {
    const b = stack.pop() as number;
    const a = stack.pop() as number;
    if (b - a < 2) continue;
    const [ax, ay] = at(a);
    const [bx, by] = at(b);
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    let best = -1;
    let bestD = tol2;
    for (let i = a + 1; i < b; i++) {
      const [px, py] = at(i);
      let d: number;
      if (len2 === 0) {
        d = (px - ax) ** 2 + (py - ay) ** 2;
      } else {
        const cross = dx * (py - ay) - dy * (px - ax);
        d = (cross * cross) / len2;
      }
      if (d > bestD) {
        bestD = d;
        best = i;
      }
    }
    if (best >= 0) {
      keep[best] = 1;
      stack.push(a, best, best, b);
    }
  }
  const out: PolygonPoint[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push([ring[i][0], ring[i][1]]);
  return out.length >= 3 ? out : ring.slice();
}
