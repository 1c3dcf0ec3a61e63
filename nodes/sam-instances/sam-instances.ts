import { segmentInstances, type SegmentInstancesOptions, type Detection, type InstanceRecord } from '../../core';
import type { Node, NodeAPI, NodeDef } from '../red';
import { DetectorHolder } from '../lib/DetectorHolder';
import { queuedInput, type QueuedNodeDef } from '../lib/queuedInput';
import { embedMessage } from '../lib/embedMessage';
import { attachModel, noModelError } from '../lib/modelUser';
import { asError } from '../lib/asError';
import { numberOption } from '../lib/numberOption';
import { attachCluster } from '../lib/clusterUser';

interface SamInstancesDef extends NodeDef, QueuedNodeDef {
  readonly model?: string;
  /** A sam-cluster config node: when set, detection and masks run on the cluster's workers. */
  readonly cluster?: string;
  /** Comma-separated COCO class names; empty = all. */
  readonly classes?: string;
  readonly minScore?: string | number;
  readonly maxInstances?: string | number;
  readonly expand?: string | number;
}

/**
 * instance masks (composite): COCO detector → box prompts (class carried) → SAM decoder, for the
 * image in msg.payload → msg.masks (one record per instance with class and score) and msg.detections.
 */
export = function register(RED: NodeAPI): void {
  function SamInstancesNode(this: Node, def: SamInstancesDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
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
    const detector = new DetectorHolder((state, detail) => {
      if (state === 'failed') node.status({ fill: 'red', shape: 'ring', text: `detector failed: ${detail.slice(0, 50)}` });
    });
    const queue = queuedInput(node, def, {
      nodeType: 'sam-instances',
      configError,
      concurrency: cluster?.concurrency ?? 1,
      work: async (msg) => {
        if (cluster) {
          const records = (await cluster.submitMessage(node.id, msg, {
            task: 'instances',
            options: { ...opts, detect: { minScore, ...(classes.length ? { classes } : {}) } },
          })) as InstanceRecord[];
          msg.detections = records.map((rec): Detection => ({ bbox: rec.box, class: rec.class ?? 'object', score: rec.score ?? 0 }));
          msg.masks = records;
          return msg;
        }
        if (!runtime) throw noModelError('instance masks');
        const started = Date.now();
        const { instances, detections } = await runtime.run(async (model) => {
          const embedded = await embedMessage(runtime, model, msg);
          const found = await detector.run((d) => d.detect(embedded.frame, { minScore, ...(classes.length ? { classes } : {}) }));
          return { instances: await segmentInstances(model, embedded, found, opts), detections: found };
        });
        msg.detections = detections;
        msg.masks = instances.map((i) => i.record);
        const dropped = queue.dropped;
        node.status({ fill: 'green', shape: 'dot', text: `${instances.length} instance(s) · ${Date.now() - started} ms${dropped ? ` · dropped ${dropped}` : ''}` });
        return msg;
      },
      onClose: () => detector.close(),
    });
  }
  RED.nodes.registerType('sam-instances', SamInstancesNode);
};
