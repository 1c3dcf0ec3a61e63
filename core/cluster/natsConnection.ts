import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, nkeyAuthenticator, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { SamflowError } from '../errors';

/**
 * How to reach and authenticate to NATS. Any other @nats-io/transport-node option passes through
 * (`natsOptions`). samflow never starts a server or listens anywhere: workers and clients both dial out.
 */
export interface SamNatsOptions {
  /** 'nats://host:4222' or a list. */
  readonly servers: string | readonly string[];
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  /** A .creds file (JWT + nkey seed), as `nsc` writes it. */
  readonly credsFile?: string;
  /** A file holding an nkey seed (SU...). */
  readonly nkeySeedFile?: string;
  /** TLS: CA to trust, and a client certificate + key for mutual TLS. */
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
  /** The connection's name in the server's monitoring. */
  readonly name?: string;
  /** Anything else @nats-io/transport-node accepts (reconnect policy, timeouts, ...). */
  readonly natsOptions?: Partial<NodeConnectionOptions>;
}

function readSecret(file: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new SamflowError('BAD_OPTION', `cluster: cannot read the ${what} file ${file} (${(e as Error).message})`, file, { cause: e });
  }
}

/** SamNatsOptions → the client's connection options (secrets read from their files). */
export function natsConnectionOptions(o: SamNatsOptions): NodeConnectionOptions {
  const servers = typeof o.servers === 'string' ? [o.servers] : [...o.servers];
  if (servers.length === 0 || servers.some((s) => typeof s !== 'string' || s.trim() === '')) {
    throw new SamflowError('BAD_OPTION', 'cluster: give the NATS server URL(s), e.g. nats://10.0.0.5:4222');
  }
  if (o.credsFile && o.nkeySeedFile) throw new SamflowError('BAD_OPTION', 'cluster: give a creds file or an nkey seed file, not both');
  const authenticator = o.credsFile
    ? credsAuthenticator(readSecret(o.credsFile, 'creds'))
    : o.nkeySeedFile
      ? nkeyAuthenticator(new TextEncoder().encode(new TextDecoder().decode(readSecret(o.nkeySeedFile, 'nkey seed')).trim()))
      : undefined;
  const tls = o.tls && (o.tls.caFile || o.tls.certFile || o.tls.keyFile) ? { ...o.tls } : undefined;
  return {
    // keep trying through a broker restart; jobs wait in the stream meanwhile
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    ...o.natsOptions,
    servers,
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.user !== undefined ? { user: o.user } : {}),
    ...(o.pass !== undefined ? { pass: o.pass } : {}),
    ...(o.token !== undefined ? { token: o.token } : {}),
    ...(authenticator ? { authenticator } : {}),
    ...(tls ? { tls } : {}),
  };
}

/** Connects, with a SamflowError naming the servers when it cannot. */
export async function connectNats(o: SamNatsOptions): Promise<NatsConnection> {
  const opts = natsConnectionOptions(o);
  try {
    return await connect(opts);
  } catch (e) {
    throw new SamflowError('SOURCE_FAILED', `cluster: cannot connect to NATS at ${(opts.servers as string[]).join(', ')}: ${(e as Error).message}`, undefined, { cause: e });
  }
}
