import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_STATUS_LENGTH, NodeStatus, STATUS_INTERVAL_MS, translate } from '../../nodes/lib/NodeStatus';
import type { CloseHandler, Node, NodeAPI, NodeStatus as StatusObject } from '../../nodes/red';

/** A node that records what reaches the editor, and a RED whose `_` fills `__name__` from a catalogue. */
function fakes(catalogue: Record<string, string> = {}): { node: Node; RED: NodeAPI; shown: StatusObject[]; close: () => void } {
  const shown: StatusObject[] = [];
  const closers: CloseHandler[] = [];
  const node = {
    id: 'n1',
    type: 'sam-encoder',
    on: (event: string, handler: CloseHandler) => {
      if (event === 'close') closers.push(handler);
    },
    status: (s: StatusObject) => shown.push(s),
  } as unknown as Node;
  const RED = {
    _: (key: string, subs?: Record<string, string | number>) => {
      const text = catalogue[key.replace(/^[^:]*:/, '')];
      return text === undefined ? key : text.replace(/__(\w+)__/g, (_, name: string) => String(subs?.[name]));
    },
  } as unknown as NodeAPI;
  return { node, RED, shown, close: () => closers.forEach((c) => c(false, () => undefined)) };
}

describe('NodeStatus (the rate-limited status of every samflow node)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a 100-frame burst at 25 fps with 2 updates per frame reaches the editor at most 4 times a second, ending on the last update', () => {
    const { node, RED, shown } = fakes();
    const status = NodeStatus.attach(RED, node, () => Date.now());
    for (let frame = 0; frame < 100; frame++) {
      node.status({ fill: 'blue', shape: 'ring', text: `encoding ${frame}` });
      node.status({ fill: 'green', shape: 'dot', text: `frame ${frame} done` });
      vi.advanceTimersByTime(40);
    }
    vi.advanceTimersByTime(STATUS_INTERVAL_MS);
    const seconds = (100 * 40 + STATUS_INTERVAL_MS) / 1000;
    expect(shown.length).toBeLessThanOrEqual(Math.ceil(seconds * (1000 / STATUS_INTERVAL_MS)) + 1);
    expect(shown.length).toBeGreaterThan(5);
    expect(status.shown).toBe(shown.length);
    expect(shown[0]?.text).toBe('encoding 0'); // the first shows at once
    expect(shown.at(-1)?.text).toBe('frame 99 done'); // the last is never lost
  });

  it('cuts long texts (an error message) so they do not run under the next node', () => {
    const { node, RED, shown } = fakes();
    NodeStatus.attach(RED, node);
    node.status({ fill: 'red', shape: 'ring', text: 'x'.repeat(200) });
    expect(shown[0]?.text).toHaveLength(MAX_STATUS_LENGTH);
    expect(shown[0]?.text?.endsWith('…')).toBe(true);
  });

  it('shows nothing after the node closed (a pending update is cancelled)', () => {
    const { node, RED, shown, close } = fakes();
    NodeStatus.attach(RED, node);
    node.status({ text: 'a' });
    node.status({ text: 'b' });
    close();
    vi.advanceTimersByTime(10 * STATUS_INTERVAL_MS);
    expect(shown.map((s) => s.text)).toEqual(['a']);
  });

  it('shows drops as a total and a rate over the last 2 s, from the catalogue', () => {
    const { node, RED } = fakes({ 'sam-model.status.dropped': 'dropped __n__ (__rate__/s)' });
    const status = NodeStatus.attach(RED, node, () => Date.now());
    expect(status.dropText(0)).toBe('');
    let total = 0;
    let text = '';
    for (let i = 0; i < 40; i++) {
      total += 6; // 24 frames a second dropped, sampled 4 times a second
      vi.advanceTimersByTime(250);
      text = status.dropText(total);
    }
    expect(text).toBe(' · dropped 240 (24/s)');
    for (let i = 0; i < 12; i++) {
      vi.advanceTimersByTime(250); // nothing dropped any more: the rate falls to 0
      text = status.dropText(total);
    }
    expect(text).toBe(' · dropped 240 (0/s)');
  });

  it('translate() uses RED._ and gives the key where the runtime has no i18n', () => {
    expect(translate({} as NodeAPI, 'sam-nms.status.kept')).toBe('sam-nms.status.kept');
    expect(translate(fakes({ 'sam-nms.status.kept': 'kept __n__ of __total__' }).RED, 'sam-nms.status.kept', { n: 2, total: 5 })).toBe('kept 2 of 5');
  });
});
