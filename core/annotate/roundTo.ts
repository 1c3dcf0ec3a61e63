/** `x` rounded to `digits` decimals (timings and scores as the page shows and the state file keeps them). */
export function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
