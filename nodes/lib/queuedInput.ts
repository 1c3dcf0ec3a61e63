import type { Node, NodeDone, NodeMessage, NodeSend } from '../red';
import { asError, errorText } from './asError';
import { DropQueue, nodePolicy, type DropQueueStats } from './DropQueue';
import { closeDropQueue, finishDropped, reportDroppedOption } from './finishDropped';

/** The config fields every queued node has (its edit dialog's drop policy and report option). */
export interface QueuedNodeDef {
  /** 'latest' (default), 'queue' (4 waiting) or 'all'. */
  readonly policy?: unknown;
  /** Report messages dropped by the policy to Catch (done(err) MESSAGE_DROPPED). Default true. */
  readonly reportDropped?: boolean | string;
}

export interface QueuedInputOptions {
  /** The node type, as error messages name it ('sam-everything'). */
  readonly nodeType: string;
  /** A bad config found at start: every message then ends in done(err) with it. */
  readonly configError?: Error;
  /** Messages worked on at once (a cluster behind the node); default 1. */
  readonly concurrency?: number;
  /** One message's work: fills it in and resolves with the message to send, or throws. */
  readonly work: (msg: NodeMessage) => Promise<NodeMessage>;
  /** Every change of the queue (for a status showing waiting and dropped messages). */
  readonly onChange?: (stats: DropQueueStats) => void;
  /** After the queue is closed on node close (abort a run, release a detector); the close waits for it. */
  readonly onClose?: () => unknown;
}

/** What the node sees of its queue. */
export interface QueuedInput {
  /** Messages dropped by the policy so far (not counting those ended by a close). */
  readonly dropped: number;
}

interface Pending {
  readonly msg: NodeMessage;
  readonly send: NodeSend;
  readonly done: NodeDone;
}

/**
 * The skeleton of a node that works on one message at a time (or `concurrency`) under its drop
 * policy: every accepted message ends in `send` + `done()` or `done(err)` (with a red status);
 * messages dropped by the policy end as `finishDropped` says (MESSAGE_DROPPED, or silently when
 * "Report dropped messages" is off); on close the waiting ones end in NODE_CLOSED and an http
 * request among the running ones is answered (closeDropQueue), then `onClose` runs.
 */
export function queuedInput(node: Node, def: QueuedNodeDef, opts: QueuedInputOptions): QueuedInput {
  const policy = nodePolicy(def.policy);
  const reportDropped = reportDroppedOption(def.reportDropped);
  let dropped = 0;
  const queue = new DropQueue<Pending>(
    policy,
    async ({ msg, send, done }) => {
      try {
        if (opts.configError) throw opts.configError;
        send(await opts.work(msg));
        done();
      } catch (err) {
        node.status({ fill: 'red', shape: 'ring', text: errorText(err) });
        done(asError(err));
      }
    },
    ({ msg, done }, reason) => {
      if (reason === 'dropped') dropped++;
      finishDropped(opts.nodeType, msg, done, reason, policy, reportDropped);
    },
    opts.onChange,
    opts.concurrency ?? 1,
  );
  node.on('input', (msg, send, done) => queue.push({ msg, send, done }));
  node.on('close', (_removed, done) => {
    closeDropQueue(opts.nodeType, queue);
    Promise.resolve()
      .then(() => opts.onClose?.())
      .then(
        () => done(),
        () => done(),
      );
  });
  return {
    get dropped() {
      return dropped;
    },
  };
}
