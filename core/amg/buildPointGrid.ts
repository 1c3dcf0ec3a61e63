import { SamflowError } from '../errors';

/** A point in normalised [0,1]² image coordinates, [x, y]. */
export type GridPoint = readonly [number, number];

/**
 * SAM's `build_point_grid`: `nPerSide²` points evenly spaced in [0,1]×[0,1], each at the centre of
 * its cell (offset 1/(2n)); x varies fastest (row-major, like numpy's tile/stack/reshape).
 *
 * @example buildPointGrid(2) → [[0.25,0.25],[0.75,0.25],[0.25,0.75],[0.75,0.75]]
 */
export function buildPointGrid(nPerSide: number): GridPoint[] {
  if (!Number.isInteger(nPerSide) || nPerSide < 1) {
    throw new SamflowError('BAD_OPTION', `pointsPerSide must be an integer >= 1, got ${nPerSide}; pass e.g. 32`);
  }
  const offset = 1 / (2 * nPerSide);
  const side = linspace(offset, 1 - offset, nPerSide);
  const points: GridPoint[] = [];
  for (let i = 0; i < nPerSide; i++) {
    for (let j = 0; j < nPerSide; j++) points.push([side[j], side[i]]);
  }
  return points;
}

/**
 * SAM's `build_all_layer_point_grids`: one grid per crop layer, layer i having
 * `int(nPerSide / scalePerLayer**i)` points per side.
 */
export function buildAllLayerPointGrids(nPerSide: number, nLayers: number, scalePerLayer: number): GridPoint[][] {
  if (!Number.isInteger(nLayers) || nLayers < 0) {
    throw new SamflowError('BAD_OPTION', `cropNLayers must be an integer >= 0, got ${nLayers}`);
  }
  if (!(scalePerLayer >= 1) || !Number.isInteger(scalePerLayer)) {
    throw new SamflowError('BAD_OPTION', `cropNPointsDownscaleFactor must be an integer >= 1, got ${scalePerLayer}`);
  }
  const grids: GridPoint[][] = [];
  for (let i = 0; i <= nLayers; i++) {
    grids.push(buildPointGrid(Math.trunc(nPerSide / scalePerLayer ** i)));
  }
  return grids;
}

/** numpy.linspace(start, stop, num) with endpoint: the last value is exactly `stop`. */
function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(i === num - 1 ? stop : start + i * step);
  return out;
}
