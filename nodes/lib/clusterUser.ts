import type { SamClusterStatus } from '../../core';
import type { Node, NodeAPI, NodeStatus } from '../red';
import type { ClusterRuntime } from './ClusterRuntime';
import { COMMON_STATUS, translate } from './NodeStatus';

/** The runtime side of a sam-cluster config node, as user nodes see it. */
export interface SamClusterConfigNode extends Node {
  readonly cluster: ClusterRuntime;
}

function isClusterConfig(n: Node | null): n is SamClusterConfigNode {
  return n !== null && n.type === 'sam-cluster' && 'cluster' in n;
}

/** "2 in flight · 3 workers" (or the connection error). */
export function clusterStatusText(RED: NodeAPI, s: SamClusterStatus | undefined, error?: string): NodeStatus {
  if (error) return { fill: 'red', shape: 'ring', text: translate(RED, `${COMMON_STATUS}clusterError`, { error }) };
  if (!s) return { fill: 'grey', shape: 'ring', text: translate(RED, `${COMMON_STATUS}clusterIdle`) };
  return {
    fill: s.workers > 0 ? 'green' : 'yellow',
    shape: s.inFlight > 0 ? 'ring' : 'dot',
    text: translate(RED, s.failed ? `${COMMON_STATUS}clusterFailed` : `${COMMON_STATUS}clusterJobs`, { inFlight: s.inFlight, workers: s.workers, failed: s.failed }),
  };
}

/**
 * Looks up the sam-cluster config node `id` (undefined when none is chosen) and registers `node`
 * with it: its status shows jobs in flight and workers seen.
 */
export function attachCluster(RED: NodeAPI, node: Node, id: unknown, status: (text: NodeStatus) => void = (s) => node.status(s)): ClusterRuntime | undefined {
  const config = typeof id === 'string' && id !== '' ? RED.nodes.getNode(id) : null;
  if (!isClusterConfig(config)) return undefined;
  const cluster = config.cluster;
  const user = { onClusterStatus: (s: SamClusterStatus | undefined, error?: string) => status(clusterStatusText(RED, s, error)) };
  cluster.register(user);
  node.on('close', (_removed, done) => {
    cluster.deregister(user);
    done();
  });
  return cluster;
}
