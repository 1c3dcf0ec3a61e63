import { type SamClusterOptions, type SamNatsOptions, clusterNamesForStream, type SamClusterDelivery, type SamClusterNames } from '../core';
import { getNumber, getString, type OptionSpec, type ParsedArgs } from './args';

/** Flags that reach a samflow cluster (NATS URL, credentials, TLS, names). */
export const CLUSTER_FLAGS: Readonly<Record<string, OptionSpec>> = {
  nats: { kind: 'string' },
  'nats-user': { kind: 'string' },
  'nats-pass': { kind: 'string' },
  'nats-token': { kind: 'string' },
  'nats-creds': { kind: 'string' },
  'nats-nkey': { kind: 'string' },
  'nats-ca': { kind: 'string' },
  'nats-cert': { kind: 'string' },
  'nats-key': { kind: 'string' },
  stream: { kind: 'string' },
  'ack-wait': { kind: 'integer', min: 1000 },
  'max-deliver': { kind: 'integer', min: 1 },
  'max-in-flight': { kind: 'integer', min: 1, max: 100_000 },
};

export const CLUSTER_USAGE = `[--nats URL[,URL]] [--nats-user U --nats-pass P | --nats-token T | --nats-creds FILE | --nats-nkey SEEDFILE]
       [--nats-ca CA.pem] [--nats-cert CERT.pem --nats-key KEY.pem] [--stream NAME] [--max-in-flight N]`;

/** Environment fallbacks for secrets, so they stay off the command line (ps): SAMFLOW_NATS_PASS, SAMFLOW_NATS_TOKEN. */
function secret(a: ParsedArgs, flag: string, env: string): string | undefined {
  return getString(a, flag) ?? (process.env[env] !== undefined && process.env[env] !== '' ? process.env[env] : undefined);
}

/** --stream NAME also names the consumer, subjects and bucket after it, so two clusters never mix. */
export function clusterNamesFrom(a: ParsedArgs): Partial<SamClusterNames> {
  const stream = getString(a, 'stream');
  return stream === undefined ? {} : clusterNamesForStream(stream);
}

/** The NATS connection options from the flags, or undefined without --nats (then the command runs locally). */
export function natsOptionsFrom(a: ParsedArgs): SamNatsOptions | undefined {
  const url = getString(a, 'nats');
  if (url === undefined) return undefined;
  const user = getString(a, 'nats-user');
  const pass = secret(a, 'nats-pass', 'SAMFLOW_NATS_PASS');
  const token = secret(a, 'nats-token', 'SAMFLOW_NATS_TOKEN');
  const credsFile = getString(a, 'nats-creds');
  const nkeySeedFile = getString(a, 'nats-nkey');
  const caFile = getString(a, 'nats-ca');
  const certFile = getString(a, 'nats-cert');
  const keyFile = getString(a, 'nats-key');
  return {
    servers: url
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    ...(user !== undefined ? { user } : {}),
    ...(pass !== undefined ? { pass } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(credsFile !== undefined ? { credsFile } : {}),
    ...(nkeySeedFile !== undefined ? { nkeySeedFile } : {}),
    ...(caFile || certFile || keyFile ? { tls: { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile } : {}), ...(keyFile ? { keyFile } : {}) } } : {}),
  };
}

export function clusterDeliveryFrom(a: ParsedArgs): Partial<SamClusterDelivery> {
  const ackWaitMs = getNumber(a, 'ack-wait');
  const maxDeliver = getNumber(a, 'max-deliver');
  return { ...(ackWaitMs !== undefined ? { ackWaitMs } : {}), ...(maxDeliver !== undefined ? { maxDeliver } : {}) };
}

/** Client options from the flags (undefined without --nats). */
export function clusterOptionsFrom(a: ParsedArgs): SamClusterOptions | undefined {
  const nats = natsOptionsFrom(a);
  if (!nats) return undefined;
  const maxInFlight = getNumber(a, 'max-in-flight');
  return { ...nats, names: clusterNamesFrom(a), delivery: clusterDeliveryFrom(a), ...(maxInFlight !== undefined ? { maxInFlight } : {}) };
}
