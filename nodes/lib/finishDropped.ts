import { SamflowError } from '../../core/errors';
import type { NodeDone } from '../red';
import type { DropPolicy, DropReason } from './DropQueue';

/**
 * How a node ends a message its DropQueue gave up on, so that every accepted message ends in output
 * or done(err) (an `http in` request behind it is then answered by a Catch node):
 * - 'closed' (redeploy, the node or its sam-model changed or deleted): always done(err) NODE_CLOSED;
 * - 'dropped' by the policy (a newer message arrived while busy): done(err) MESSAGE_DROPPED when
 *   `reportDropped` (the node option, default on), else done() silently (a camera at 25 frames/s).
 */
export function finishDropped(nodeType: string, done: NodeDone, reason: DropReason, policy: DropPolicy, reportDropped: boolean): void {
  if (reason === 'closed') {
    done(new SamflowError('NODE_CLOSED', `${nodeType}: the node was stopped (a redeploy, or its sam-model was changed or deleted) while this message waited; it was not processed. Send it again once the flow is deployed.`));
  } else if (reportDropped) {
    done(
      new SamflowError(
        'MESSAGE_DROPPED',
        `${nodeType}: message dropped by the '${policy}' policy: a newer one arrived while the node was busy. Choose 'process every message' to keep all, or untick "Report dropped messages" to drop silently (cameras).`,
      ),
    );
  } else done();
}

/** The node option: report dropped messages to Catch unless explicitly turned off (old flows: on). */
export function reportDroppedOption(v: unknown): boolean {
  return v !== false && v !== 'false';
}
