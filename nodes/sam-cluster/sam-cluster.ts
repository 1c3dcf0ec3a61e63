import { clusterNamesForStream, type SamClusterOptions } from '../../core';
import type { Node, NodeAPI, NodeDef } from '../red';
import { ClusterRuntime } from '../lib/ClusterRuntime';

interface SamClusterDef extends NodeDef {
  /** Comma-separated NATS URLs. */
  readonly servers?: string;
  /** Stream name ('' = SAMFLOW_JOBS with the default subjects). */
  readonly stream?: string;
  readonly maxInFlight?: string | number;
  readonly credsFile?: string;
  readonly nkeySeedFile?: string;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

interface SamClusterCredentials {
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
}

interface SamClusterNode extends Node {
  cluster: ClusterRuntime;
  credentials?: SamClusterCredentials;
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** The client options a sam-cluster config asks for (secrets from Node-RED's credential store). */
function clusterOptionsOf(def: SamClusterDef, cred: SamClusterCredentials = {}): SamClusterOptions {
  const servers = (def.servers ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const stream = nonEmpty(def.stream);
  const n = Number(def.maxInFlight);
  const tls = {
    ...(nonEmpty(def.caFile) ? { caFile: nonEmpty(def.caFile)! } : {}),
    ...(nonEmpty(def.certFile) ? { certFile: nonEmpty(def.certFile)! } : {}),
    ...(nonEmpty(def.keyFile) ? { keyFile: nonEmpty(def.keyFile)! } : {}),
  };
  return {
    servers,
    ...(stream ? { names: clusterNamesForStream(stream) } : {}),
    ...(Number.isInteger(n) && n >= 1 ? { maxInFlight: n } : {}),
    ...(nonEmpty(cred.user) ? { user: nonEmpty(cred.user)! } : {}),
    ...(cred.password ? { pass: cred.password } : {}),
    ...(nonEmpty(cred.token) ? { token: nonEmpty(cred.token)! } : {}),
    ...(nonEmpty(def.credsFile) ? { credsFile: nonEmpty(def.credsFile)! } : {}),
    ...(nonEmpty(def.nkeySeedFile) ? { nkeySeedFile: nonEmpty(def.nkeySeedFile)! } : {}),
    ...(Object.keys(tls).length ? { tls } : {}),
  };
}

/**
 * sam-cluster (config node): a samflow cluster on NATS JetStream. sam everything, instance masks
 * and sam segment nodes that name it send their images to the cluster's workers instead of a
 * local sam-model. One connection per config node, opened on the first message; nothing listens.
 */
export = function register(RED: NodeAPI): void {
  function SamClusterNodeCtor(this: SamClusterNode, def: SamClusterDef): void {
    RED.nodes.createNode(this, def);
    this.cluster = new ClusterRuntime(clusterOptionsOf(def, this.credentials ?? {}));
    const cluster = this.cluster;
    this.on('close', (_removed, done) => {
      cluster.close().then(done, done);
    });
  }
  RED.nodes.registerType('sam-cluster', SamClusterNodeCtor, {
    credentials: { user: { type: 'text' }, password: { type: 'password' }, token: { type: 'password' } },
  });
};
