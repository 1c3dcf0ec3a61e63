import { SamflowError } from '../../core';
import type { Node, NodeDone, NodeMessage } from '../red';
import { answerStoppedRequest } from './finishDropped';

/**
 * The messages a node without a queue is working on (an async decode or render). When the node
 * stops (redeploy), whatever it sends afterwards no longer reaches the stopped flow, so an `http in`
 * request among them is answered 503 with the reason (see answerStoppedRequest).
 */
export class MessagesInFlight {
  private readonly msgs = new Set<NodeMessage>();

  constructor(node: Node, nodeType: string) {
    node.on('close', (_removed: boolean, done: () => void) => {
      const err = new SamflowError(
        'NODE_CLOSED',
        `${nodeType}: the node was stopped (a redeploy, or its sam-model was changed or deleted) while this message was being processed; it was not answered. Send it again once the flow is deployed.`,
      );
      for (const msg of this.msgs) answerStoppedRequest(msg, err);
      this.msgs.clear();
      done();
    });
  }

  /** Counts `msg` in flight until the returned done is called (it calls the node's `done`). */
  track(msg: NodeMessage, done: NodeDone): NodeDone {
    this.msgs.add(msg);
    return (err?: Error) => {
      this.msgs.delete(msg);
      done(err);
    };
  }
}
