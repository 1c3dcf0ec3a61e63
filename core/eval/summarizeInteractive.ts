import { numberOfClicks } from './numberOfClicks';

/** One object's outcome under the click protocol. */
export interface InteractiveItemResult {
  readonly id: string;
  /** IoU after click 1, 2, ... */
  readonly ious: readonly number[];
  /** Clicks as [x, y, label] in original pixels. */
  readonly clicks: ReadonlyArray<readonly [number, number, 0 | 1]>;
  /** Image embedding time in ms (decode + preprocess + encoder). */
  readonly encodeMs: number;
  /** Sum of the per-click prediction times in ms (decoder + post-processing). */
  readonly clicksMs: number;
}

export interface InteractiveSummary {
  readonly count: number;
  /** Mean IoU after the first click. */
  readonly miou1: number;
  /** Mean NoC@85 and NoC@90 (capped at maxClicks, counting maxClicks when never reached). */
  readonly noc85: number;
  readonly noc90: number;
  /** Objects that never reached 0.85 / 0.90 within maxClicks. */
  readonly failed85: number;
  readonly failed90: number;
  /** mIoU after k clicks for k = 1..maxClicks (an object that stopped early keeps its last IoU). */
  readonly miouAtClick: readonly number[];
  readonly maxClicks: number;
  readonly meanEncodeMs: number;
  /** Mean time of one click (decoder + post-processing + protocol). */
  readonly meanClickMs: number;
  readonly totalMs: number;
}

/** Per-object NoC values. */
export function itemNoc(ious: readonly number[], maxClicks: number): { noc85: number; noc90: number } {
  return { noc85: numberOfClicks(ious, 0.85, maxClicks), noc90: numberOfClicks(ious, 0.9, maxClicks) };
}

/** Means over the items (RITM's reporting: mIoU@1, NoC@85, NoC@90, failures). */
export function summarizeInteractive(items: readonly InteractiveItemResult[], maxClicks: number): InteractiveSummary {
  const count = items.length;
  const mean = (f: (r: InteractiveItemResult) => number): number => (count === 0 ? NaN : items.reduce((s, r) => s + f(r), 0) / count);
  const miouAtClick: number[] = [];
  for (let k = 0; k < maxClicks; k++) {
    miouAtClick.push(mean((r) => (r.ious.length === 0 ? 0 : r.ious[Math.min(k, r.ious.length - 1)])));
  }
  const totalClicks = items.reduce((s, r) => s + r.ious.length, 0);
  const clicksMs = items.reduce((s, r) => s + r.clicksMs, 0);
  return {
    count,
    miou1: mean((r) => r.ious[0] ?? 0),
    noc85: mean((r) => numberOfClicks(r.ious, 0.85, maxClicks)),
    noc90: mean((r) => numberOfClicks(r.ious, 0.9, maxClicks)),
    failed85: items.filter((r) => !r.ious.slice(0, maxClicks).some((v) => v >= 0.85)).length,
    failed90: items.filter((r) => !r.ious.slice(0, maxClicks).some((v) => v >= 0.9)).length,
    miouAtClick,
    maxClicks,
    meanEncodeMs: mean((r) => r.encodeMs),
    meanClickMs: totalClicks === 0 ? NaN : clicksMs / totalClicks,
    totalMs: items.reduce((s, r) => s + r.encodeMs + r.clicksMs, 0),
  };
}
