import type { Node, NodeAPI, NodeDef, NodeDone, NodeMessage, NodeSend } from '../red';
import { asError, errorText } from '../lib/asError';
import { closeDropQueue, finishDropped, reportDroppedOption } from '../lib/finishDropped';
import { DropQueue, nodePolicy, type DropQueueStats } from '../lib/DropQueue';
import { embedMessage } from '../lib/embedMessage';
import { attachModel, noModelError } from '../lib/modelUser';

interface SamEncoderDef extends NodeDef {
  /** Report messages dropped by the policy to Catch (done(err) MESSAGE_DROPPED). Default true. */
  readonly reportDropped?: boolean | string;
  readonly model?: string;
  /** 'latest' (default), 'queue' (4 waiting) or 'all'. */
  readonly policy?: string;
  readonly queueSize?: string | number;
}

interface Pending {
  readonly msg: NodeMessage;
  readonly send: NodeSend;
  readonly done: NodeDone;
}

function statusText(stats: DropQueueStats, lastMs: number | undefined): string {
  const parts = [stats.busy ? 'encoding' : 'idle'];
  if (lastMs !== undefined) parts.push(`${lastMs} ms`);
  if (stats.waiting) parts.push(`queue ${stats.waiting}`);
  if (stats.dropped) parts.push(`dropped ${stats.dropped}`);
  return parts.join(' · ');
}

/**
 * sam-encoder: msg.payload image → SAM image embedding, cached in the sam-model config node;
 * the message goes on with the small handle `msg.embedding = {modelId, frameId, width, height}`.
 * Messages that arrive while an image is being encoded follow the node's drop policy.
 */
export = function register(RED: NodeAPI): void {
  function SamEncoderNode(this: Node, def: SamEncoderDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const queueSize = Math.max(1, Math.floor(Number(def.queueSize) || 4));
    const policy = nodePolicy(def.policy, queueSize);
    const reportDropped = reportDroppedOption(def.reportDropped);
    let lastMs: number | undefined;
    let failed = false;
    let ready = false;
    const showStats = (stats: DropQueueStats): void => {
      if (!ready || failed) return;
      node.status({ fill: stats.dropped ? 'yellow' : 'green', shape: stats.busy ? 'ring' : 'dot', text: statusText(stats, lastMs) });
    };
    const runtime = attachModel(RED, node, def.model, (detail) => {
      ready = true;
      return { fill: 'green', shape: 'dot', text: detail || 'ready' };
    });

    const queue = new DropQueue<Pending>(
      policy,
      async ({ msg, send, done }) => {
        if (!runtime) {
          done(noModelError('sam-encoder'));
          return;
        }
        try {
          const started = Date.now();
          // a fresh image each time: an old msg.embedding must not short-circuit the encode
          delete msg.embedding;
          await runtime.run((model) => embedMessage(runtime, model, msg));
          lastMs = Date.now() - started;
          failed = false;
          send(msg);
          done();
        } catch (err) {
          failed = true;
          node.status({ fill: 'red', shape: 'ring', text: errorText(err) });
          done(asError(err));
        }
      },
      ({ msg, done }, reason) => finishDropped('sam-encoder', msg, done, reason, policy, reportDropped),
      showStats,
    );

    node.on('input', (msg, send, done) => {
      queue.push({ msg, send, done });
    });
    node.on('close', (_removed, done) => {
      closeDropQueue('sam-encoder', queue);
      done();
    });
  }
  RED.nodes.registerType('sam-encoder', SamEncoderNode);
};
