import { SamflowError } from '../../core';
import type { Node, NodeAPI, NodeStatus } from '../red';
import type { ModelRuntime, ModelState } from './ModelRuntime';

/** The runtime side of a sam-model config node, as user nodes see it. */
export interface SamModelConfigNode extends Node {
  readonly runtime: ModelRuntime;
}

function isModelConfig(n: Node | null): n is SamModelConfigNode {
  return n !== null && n.type === 'sam-model' && 'runtime' in n;
}

/** The status a user node shows for a model state (loading, failed); undefined when ready. */
export function modelStateStatus(state: ModelState, detail: string): NodeStatus | undefined {
  switch (state) {
    case 'loading':
      return { fill: 'yellow', shape: 'ring', text: 'loading model…' };
    case 'failed':
      return { fill: 'red', shape: 'ring', text: `model failed: ${detail.slice(0, 60)}` };
    case 'closed':
      return { fill: 'grey', shape: 'ring', text: 'model closed' };
    default:
      return undefined;
  }
}

/**
 * Looks up the sam-model config node `id` and registers `node` with it; the node's status follows
 * the model's loading state (`onReady` gives the status to show once loaded). Returns undefined and
 * shows a red status when no model is configured: the node then answers every message with an error.
 */
export function attachModel(
  RED: NodeAPI,
  node: Node,
  id: unknown,
  onReady: (detail: string) => NodeStatus = () => ({ fill: 'green', shape: 'dot', text: 'ready' }),
): ModelRuntime | undefined {
  const config = typeof id === 'string' && id !== '' ? RED.nodes.getNode(id) : null;
  if (!isModelConfig(config)) {
    node.status({ fill: 'red', shape: 'ring', text: 'no sam-model configured' });
    return undefined;
  }
  const runtime = config.runtime;
  const user = {
    onModelState(state: ModelState, detail: string): void {
      node.status(modelStateStatus(state, detail) ?? onReady(detail));
    },
  };
  runtime.register(user);
  node.on('close', (_removed, done) => {
    runtime.deregister(user);
    done();
  });
  return runtime;
}

/** The error a node without a model gives for every message. */
export function noModelError(nodeType: string): SamflowError {
  return new SamflowError('MODEL_NOT_FOUND', `${nodeType}: no sam-model config node is selected (or it was deleted). Open the node, pick or add a sam-model and deploy again.`);
}
