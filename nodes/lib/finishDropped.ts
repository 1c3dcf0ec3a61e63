import { SamflowError, type BackpressurePolicy } from '../../core';
import type { NodeDone, NodeMessage } from '../red';
import { policyName, type DropQueue, type DropReason } from './DropQueue';

function closedError(nodeType: string, waited: boolean): SamflowError {
  return new SamflowError(
    'NODE_CLOSED',
    `${nodeType}: the node was stopped (a redeploy, or its sam-model was changed or deleted) while this message ${waited ? 'waited' : 'was being processed'}; ` +
      'it was not answered. Send it again once the flow is deployed.',
  );
}

/**
 * An `http in` request whose message is inside a node when the flow stops can no longer reach the
 * http response or Catch nodes of the stopped flow (Node-RED drops messages sent after close), so it
 * is answered here: 503 with the reason. Messages without `msg.res` are left alone.
 */
export function answerStoppedRequest(msg: NodeMessage, error: Error): void {
  const res = (msg.res as { _res?: { headersSent?: boolean; status?: (code: number) => { type(t: string): { send(b: string): void } } } } | undefined)?._res;
  if (!res || res.headersSent || typeof res.status !== 'function') return;
  try {
    res.status(503).type('text/plain').send(error.message);
  } catch {
    // the client went away
  }
}

/**
 * How a node ends a message its DropQueue gave up on, so that every accepted message ends in output
 * or done(err) (an `http in` request behind it is then answered by a Catch node):
 * - 'closed' (redeploy, the node or its sam-model changed or deleted): always done(err) NODE_CLOSED,
 *   and an http request is answered 503 (see answerStoppedRequest);
 * - 'dropped' by the policy (a newer message arrived while busy): done(err) MESSAGE_DROPPED when
 *   `reportDropped` (the node option, default on), else done() silently (a camera at 25 frames/s).
 */
export function finishDropped(nodeType: string, msg: NodeMessage, done: NodeDone, reason: DropReason, policy: BackpressurePolicy, reportDropped: boolean): void {
  if (reason === 'closed') {
    const err = closedError(nodeType, true);
    answerStoppedRequest(msg, err);
    done(err);
  } else if (reportDropped) {
    done(
      new SamflowError(
        'MESSAGE_DROPPED',
        `${nodeType}: message dropped by the '${policyName(policy)}' policy: a newer one arrived while the node was busy. Choose 'process every message' to keep all, or untick "Report dropped messages" to drop silently (cameras).`,
      ),
    );
  } else done();
}

/**
 * On node close: drops what waits (NODE_CLOSED) and answers the http request of each message being
 * processed, whose output can no longer reach the stopped flow's http response node.
 */
export function closeDropQueue<T extends { readonly msg: NodeMessage }>(nodeType: string, queue: DropQueue<T>): void {
  const running = queue.current;
  queue.close();
  for (const r of running) answerStoppedRequest(r.msg, closedError(nodeType, false));
}

/** The node option: report dropped messages to Catch unless explicitly turned off (old flows: on). */
export function reportDroppedOption(v: unknown): boolean {
  return v !== false && v !== 'false';
}
