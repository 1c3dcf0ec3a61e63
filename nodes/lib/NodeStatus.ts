import type { Node, NodeAPI, NodeStatus as StatusObject } from '../red';

/** At most one status update per this many ms (4 a second): a 25 fps stream must not flood the editor. */
export const STATUS_INTERVAL_MS = 250;
/** Drops are shown as a rate over this window. */
export const DROP_RATE_WINDOW_MS = 2000;
/** Status texts every node shares live in sam-model's catalogue (Node-RED namespace `<module>/<node>`). */
export const COMMON_STATUS = 'samflow/sam-model:sam-model.status.';
/** Longest status text (characters): longer ones are cut with an ellipsis so they do not run under the next node. */
export const MAX_STATUS_LENGTH = 36;

type StatusFn = (status: StatusObject | Record<string, never>) => void;

/**
 * The one status helper of the samflow nodes. `NodeStatus.attach(RED, node)` makes `node.status()`
 * rate-limited: the first update shows at once, later ones at most every {@link STATUS_INTERVAL_MS}
 * (the latest wins, nothing is lost at the end of a burst), texts are cut to
 * {@link MAX_STATUS_LENGTH} characters, and `close` stops the pending update. `t()` translates a key
 * of the node's message catalogue (`nodes/<node>/locales/en-US/<node>.json`, Node-RED's `RED._`;
 * substitutions are written `__name__` there). `dropText()` turns a running total of dropped
 * messages into "dropped 96 (24/s)".
 */
export class NodeStatus {
  private pending: StatusObject | Record<string, never> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastShown = -Infinity;
  private closed = false;
  /** [time, running total] samples of the drop counter, oldest first, within the window. */
  private dropSamples: Array<[number, number]> = [];
  /** How many updates reached the editor (for tests and benchmarks). */
  shown = 0;

  private constructor(
    private readonly RED: NodeAPI,
    private readonly show: StatusFn,
    private readonly now: () => number,
  ) {}

  /** Wraps `node.status` (every later call, also from nodes/lib helpers, goes through the limit). */
  static attach(RED: NodeAPI, node: Node, now: () => number = Date.now): NodeStatus {
    const original = node.status.bind(node);
    const status = new NodeStatus(RED, original, now);
    node.status = (s) => status.set(s);
    node.on('close', (_removed, done) => {
      status.close();
      done();
    });
    return status;
  }

  /** Shows `status` now, or when the interval since the last update has passed (the latest wins). */
  set(status: StatusObject | Record<string, never>): void {
    if (this.closed) return;
    this.pending = 'text' in status && typeof status.text === 'string' ? { ...status, text: shorten(status.text) } : status;
    if (this.timer) return;
    const wait = this.lastShown + STATUS_INTERVAL_MS - this.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** The text of catalogue key `key` (`sam-encoder.status.encoding`) with `subs` filled in. */
  t(key: string, subs?: Record<string, string | number>): string {
    return translate(this.RED, key, subs);
  }

  /**
   * " · dropped 96 (24/s)" for a running total of dropped messages (the rate over the last
   * {@link DROP_RATE_WINDOW_MS}); "" while nothing was dropped.
   */
  dropText(totalDropped: number): string {
    if (!(totalDropped > 0)) return '';
    const t = this.now();
    this.dropSamples.push([t, totalDropped]);
    while (this.dropSamples.length > 1 && this.dropSamples[0][0] < t - DROP_RATE_WINDOW_MS) this.dropSamples.shift();
    const [t0, n0] = this.dropSamples[0];
    const span = Math.max(t - t0, STATUS_INTERVAL_MS);
    const rate = t0 === t ? 0 : Math.round(((totalDropped - n0) * 1000) / span);
    return ` · ${this.t(`${COMMON_STATUS}dropped`, { n: totalDropped, rate })}`;
  }

  /** No more updates (the node closes). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    const next = this.pending;
    this.pending = undefined;
    if (!next || this.closed) return;
    this.lastShown = this.now();
    this.shown++;
    this.show(next);
  }
}

/** `RED._(key, subs)`: the node's catalogue text (the key itself where the runtime has no i18n, e.g. test helpers). */
export function translate(RED: NodeAPI, key: string, subs?: Record<string, string | number>): string {
  return RED._ ? RED._(key, subs) : key;
}

function shorten(text: string): string {
  return text.length > MAX_STATUS_LENGTH ? `${text.slice(0, MAX_STATUS_LENGTH - 1)}…` : text;
}
