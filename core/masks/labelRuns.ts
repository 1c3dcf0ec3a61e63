/** Horizontal runs of a mask with their 8-connected component labels (see {@link labelRuns}). */
export interface LabelledRuns {
  /** Number of runs. */
  readonly runCount: number;
  /** int32[runCount]: row-major index of each run's first pixel. */
  readonly runStart: Int32Array;
  /** int32[runCount]: row-major index one past each run's last pixel (same row). */
  readonly runEnd: Int32Array;
  /** int32[runCount]: component label 1..count of each run. */
  readonly runLabel: Int32Array;
  /** Number of components. */
  readonly count: number;
  /** float64[count + 1]: sizes[k] = pixel count of component k (sizes[0] = 0). */
  readonly sizes: Float64Array;
}

/**
 * 8-connected component labelling on horizontal runs (run-based union-find): the map is split into
 * row runs of the wanted value, runs on consecutive rows that overlap or touch diagonally are
 * joined, and components are numbered in raster order of their first pixel (as OpenCV does).
 * Work is one pass over the pixels to find runs plus O(runs) union-find, so it stays fast on
 * 12 MP masks; no recursion, no per-pixel allocation.
 *
 * @param data uint8[height*width], row-major.
 * @param width Map width.
 * @param height Map height.
 * @param foreground Label runs of non-zero pixels (`true`) or of zero pixels (`false`).
 */
export function labelRuns(data: Uint8Array, width: number, height: number, foreground: boolean): LabelledRuns {
  let cap = 1024;
  let runStart: Int32Array = new Int32Array(cap);
  let runEnd: Int32Array = new Int32Array(cap);
  let parent: Int32Array = new Int32Array(cap);
  let runCount = 0;
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]];
      a = parent[a];
    }
    return a;
  };
  let prevFirst = 0; // runs of the previous row: [prevFirst, prevLast)
  let prevLast = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const rowEnd = row + width;
    const first = runCount;
    let i = row;
    while (i < rowEnd) {
      // skip pixels that are not wanted
      if (foreground) while (i < rowEnd && data[i] === 0) i++;
      else while (i < rowEnd && data[i] !== 0) i++;
      if (i >= rowEnd) break;
      const s = i;
      if (foreground) while (i < rowEnd && data[i] !== 0) i++;
      else while (i < rowEnd && data[i] === 0) i++;
      if (runCount === cap) {
        cap *= 2;
        const grow = (a: Int32Array): Int32Array => {
          const b = new Int32Array(cap);
          b.set(a);
          return b;
        };
        runStart = grow(runStart);
        runEnd = grow(runEnd);
        parent = grow(parent);
      }
      runStart[runCount] = s;
      runEnd[runCount] = i;
      parent[runCount] = runCount;
      runCount++;
    }
    // Join with the previous row's runs that overlap [s - 1, e] in column terms (8-connectivity).
    let p = prevFirst;
    for (let r = first; r < runCount; r++) {
      const s = runStart[r] - row; // columns [s, e)
      const e = runEnd[r] - row;
      const prow = row - width;
      while (p < prevLast && runEnd[p] - prow < s) p++; // previous run ends left of s - 1
      for (let q = p; q < prevLast && runStart[q] - prow <= e; q++) {
        const a = find(q);
        const b = find(r);
        if (a !== b) {
          if (a < b) parent[b] = a;
          else parent[a] = b;
        }
      }
    }
    prevFirst = first;
    prevLast = runCount;
  }
  // Final labels in order of first appearance (roots are the smallest run index of a component).
  const runLabel = new Int32Array(runCount);
  let count = 0;
  for (let r = 0; r < runCount; r++) {
    const root = find(r);
    runLabel[r] = root === r ? ++count : runLabel[root];
  }
  const sizes = new Float64Array(count + 1);
  for (let r = 0; r < runCount; r++) sizes[runLabel[r]] += runEnd[r] - runStart[r];
  return { runCount, runStart, runEnd, runLabel, count, sizes };
}
