import { labelRuns } from './labelRuns';

/** Result of {@link labelComponents}. */
export interface ComponentLabels {
  /** int32[h*w], row-major: 0 for pixels not labelled, 1..count for the component a pixel belongs to. */
  readonly labels: Int32Array;
  /** Number of components. */
  readonly count: number;
  /** float64[count + 1]: sizes[k] is the pixel count of component k (sizes[0] = unlabelled pixels). */
  readonly sizes: Float64Array;
}

/**
 * 8-connected component labelling of the pixels of a row-major uint8 map whose "inside-ness"
 * equals `foreground` (non-zero counts as 1), as a per-pixel label map. Components are numbered
 * 1..count in raster order of their first pixel, like OpenCV's `connectedComponents`. Built on the
 * run-based {@link labelRuns}; use that directly when per-run output is enough.
 *
 * @param data uint8[height*width], row-major.
 * @param width Map width.
 * @param height Map height.
 * @param foreground Label the pixels that are non-zero (`true`, default) or zero (`false`).
 */
export function labelComponents(data: Uint8Array, width: number, height: number, foreground = true): ComponentLabels {
  const runs = labelRuns(data, width, height, foreground);
  const labels = new Int32Array(width * height); // int32[h,w]
  let labelled = 0;
  for (let r = 0; r < runs.runCount; r++) {
    labels.fill(runs.runLabel[r], runs.runStart[r], runs.runEnd[r]);
    labelled += runs.runEnd[r] - runs.runStart[r];
  }
  const sizes = runs.sizes.slice();
  sizes[0] = width * height - labelled;
  return { labels, count: runs.count, sizes };
}
