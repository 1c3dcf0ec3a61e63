import { segmentInstances, type SegmentInstancesOptions } from '../../core';
import type { Node, NodeAPI, NodeDef, NodeDone, NodeMessage, NodeSend } from '../red';
import { NodeStatus } from '../lib/NodeStatus';
import { DetectorHolder } from '../lib/DetectorHolder';
import { closeDropQueue, finishDropped, reportDroppedOption } from '../lib/finishDropped';
import { DropQueue, type DropPolicy } from '../lib/DropQueue';
import { embedMessage } from '../lib/embedMessage';
import { attachModel, noModelError } from '../lib/modelUser';
import { asError, errorText } from '../lib/asError';
import { numberOption } from '../lib/numberOption';
import { attachCluster } from '../lib/clusterUser';
import { jobImageFromMessage, resultError } from '../lib/ClusterRuntime';
import type { Detection, InstanceRecord } from '../../core';

interface SamInstancesDef extends NodeDef {
  /** Report messages dropped by the policy to Catch (done(err) MESSAGE_DROPPED). Default true. */
  readonly reportDropped?: boolean | string;
  readonly model?: string;
  /** A sam-cluster config node: when set, detection and masks run on the cluster's workers. */
  readonly cluster?: string;
  /** Comma-separated COCO class names; empty = all. */
  readonly classes?: string;
  readonly minScore?: string | number;
  readonly maxInstances?: string | number;
  readonly expand?: string | number;
  readonly policy?: DropPolicy;
}

interface Pending {
  readonly msg: NodeMessage;
  readonly send: NodeSend;
  readonly done: NodeDone;
}

/**
 * instance masks (composite): COCO detector → box prompts (class carried) → SAM decoder, for the
 * image in msg.payload → msg.masks (one record per instance with class and score) and msg.detections.
 */
export = function register(RED: NodeAPI): void {
  function SamInstancesNode(this: Node, def: SamInstancesDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const status = NodeStatus.attach(RED, node);
    let opts: SegmentInstancesOptions = {};
    let minScore = 0.15;
    let configError: Error | undefined;
    const classes = (def.classes ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '');
    try {
      minScore = numberOption(def.minScore, 'minScore', 0.15, 0, 1);
      opts = {
        ...(classes.length ? { classes } : {}),
        maxInstances: numberOption(def.maxInstances, 'maxInstances', 20, 1, 100, true),
        expand: numberOption(def.expand, 'expand', 0, 0, 10_000),
      };
    } catch (err) {
      configError = asError(err);
    }
    const cluster = attachCluster(RED, node, def.cluster);
    const runtime = cluster ? undefined : attachModel(RED, node, def.model);
    let jobs = 0;
    const detector = new DetectorHolder((state, detail) => {
      if (state === 'failed') node.status({ fill: 'red', shape: 'ring', text: status.t('sam-instances.status.detectorFailed', { error: detail }) });
    });
    let dropped = 0;
    const policy: DropPolicy = def.policy === 'queue' || def.policy === 'all' ? def.policy : 'latest';
    const reportDropped = reportDroppedOption(def.reportDropped);
    const queue = new DropQueue<Pending>(
      policy,
      4,
      async ({ msg, send, done }) => {
        try {
          if (configError) throw configError;
          if (cluster) {
            const { image, id } = await jobImageFromMessage(msg.payload, msg.frameId);
            const r = await cluster.submit({
              id: `${node.id}:${++jobs}:${id}`,
              task: 'instances',
              options: { ...opts, detect: { minScore, ...(classes.length ? { classes } : {}) } },
              image,
              source: 'msg.payload',
            });
            if (!r.ok) throw resultError(r);
            const records = r.records as InstanceRecord[];
            msg.detections = records.map((rec): Detection => ({ bbox: rec.box, class: rec.class ?? 'object', score: rec.score ?? 0 }));
            msg.masks = records;
            send(msg);
            done();
            return;
          }
          if (!runtime) throw noModelError('sam instances');
          const started = Date.now();
          const { instances, detections } = await runtime.run(async (model) => {
            const embedded = await embedMessage(runtime, model, msg);
            const found = await detector.run((d) => d.detect(embedded.frame, { minScore, ...(classes.length ? { classes } : {}) }));
            return { instances: await segmentInstances(model, embedded, found, opts), detections: found };
          });
          msg.detections = detections;
          msg.masks = instances.map((i) => i.record);
          node.status({ fill: 'green', shape: 'dot', text: status.t('sam-instances.status.done', { n: instances.length, ms: Date.now() - started }) + status.dropText(dropped) });
          send(msg);
          done();
        } catch (err) {
          node.status({ fill: 'red', shape: 'ring', text: errorText(err) });
          done(asError(err));
        }
      },
      ({ msg, done }, reason) => {
        if (reason === 'dropped') dropped++;
        finishDropped('sam-instances', msg, done, reason, policy, reportDropped);
      },
      undefined,
      cluster?.concurrency ?? 1,
    );
    node.on('input', (msg, send, done) => queue.push({ msg, send, done }));
    node.on('close', (_removed, done) => {
      closeDropQueue('sam-instances', queue);
      detector.close().then(done, done);
    });
  }
  RED.nodes.registerType('sam-instances', SamInstancesNode);
};
