/** The real nats-server the cluster tests and the cluster benchmark start (one implementation, in bench/support). */
export { NatsServer, freePort, natsServerBinary } from '../../bench/support/natsServer';

/** Under CI=1 a missing nats-server fails the cluster tests instead of skipping them. */
export const requireNats = process.env.CI === '1' || process.env.CI === 'true';
