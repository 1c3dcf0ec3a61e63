/** Result of {@link labelComponents}. */
export interface ComponentLabels {
  /** int32[h*w], row-major: 0 for pixels not labelled, 1..count for the component a pixel belongs to. */
  readonly labels: Int32Array;
  /** Number of components. */
  readonly count: number;
  /** int32[count + 1]: sizes[k] is the pixel count of component k (sizes[0] = unlabelled pixels). */
  readonly sizes: Int32Array;
}

/**
 * 8-connected component labelling of the pixels of a row-major uint8 map whose "inside-ness"
 * equals `foreground` (non-zero counts as 1). Two-pass union-find, no recursion, no per-pixel
 * allocation. Components are numbered 1..count in raster order of their first (top-left-most in
 * scan order) pixel, like OpenCV's `connectedComponents`.
 *
 * @param data uint8[height*width], row-major.
 * @param width Map width.
 * @param height Map height.
 * @param foreground Label the pixels that are non-zero (`true`, default) or zero (`false`).
 */
export function labelComponents(data: Uint8Array, width: number, height: number, foreground = true): ComponentLabels {
  const n = width * height;
  const labels = new Int32Array(n); // int32[h,w]
  let parent = new Int32Array(1024);
  let next = 1;
  const want = foreground ? 1 : 0;
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]];
      a = parent[a];
    }
    return a;
  };
  const union = (a: number, b: number): number => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return ra;
    // Keep the smaller (earlier) label as root so final numbering follows raster order.
    if (ra < rb) {
      parent[rb] = ra;
      return ra;
    }
    parent[ra] = rb;
    return rb;
  };

  for (let y = 0; y < height; y++) {
    const row = y * width;
    const up = row - width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if ((data[i] !== 0 ? 1 : 0) !== want) continue;
      // Visited neighbours: N, NE, NW, W. N is 8-adjacent to the other three, so when N is set they
      // already share its component; otherwise only NE can bridge to W or NW (W and NW touch).
      const n0 = y > 0 ? labels[up + x] : 0;
      if (n0 !== 0) {
        labels[i] = n0;
        continue;
      }
      const ne = y > 0 && x + 1 < width ? labels[up + x + 1] : 0;
      const nw = y > 0 && x > 0 ? labels[up + x - 1] : 0;
      const w = x > 0 ? labels[i - 1] : 0;
      if (ne !== 0) {
        if (w !== 0) labels[i] = union(ne, w);
        else if (nw !== 0) labels[i] = union(ne, nw);
        else labels[i] = ne;
      } else if (nw !== 0) {
        labels[i] = nw;
      } else if (w !== 0) {
        labels[i] = w;
      } else {
        if (next === parent.length) {
          const grown = new Int32Array(parent.length * 2);
          grown.set(parent);
          parent = grown;
        }
        parent[next] = next;
        labels[i] = next++;
      }
    }
  }

  // Flatten: provisional label → final label in order of first appearance (roots are minimal).
  const final = new Int32Array(next);
  let count = 0;
  for (let l = 1; l < next; l++) {
    const r = find(l);
    final[l] = r === l ? ++count : final[r];
  }
  const sizes = new Int32Array(count + 1);
  for (let i = 0; i < n; i++) {
    const l = final[labels[i]];
    labels[i] = l;
    sizes[l]++;
  }
  return { labels, count, sizes };
}
