/** Scaling out on NATS JetStream: the wire format, the worker, the client. */
export * from './wireFormat';
export * from './SamJob';
export * from './SamClusterNames';
export * from './natsConnection';
export * from './jobCodec';
export * from './ensureSamStreams';
export * from './runSamJob';
export * from './runSamWorker';
export * from './connectSamCluster';
export * from './clusterAnnotator';
