import { boxXywhToXyxy, nonMaxSuppression } from '../../core';
import type { Node, NodeAPI, NodeDef } from '../red';
import { NodeStatus } from '../lib/NodeStatus';
import { masksFromMessage } from '../lib/masksFromMessage';
import { asError } from '../lib/asError';
import { numberOption } from '../lib/numberOption';

interface SamNmsDef extends NodeDef {
  readonly boxNmsThresh?: string | number;
}

/**
 * sam-nms: SAM's box non-maximum suppression on msg.masks: visiting records by predicted_iou,
 * drops a record whose box overlaps an already kept one with IoU > boxNmsThresh (default 0.7).
 */
export = function register(RED: NodeAPI): void {
  function SamNmsNode(this: Node, def: SamNmsDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const status = NodeStatus.attach(RED, node);
    let boxNmsThresh = 0.7;
    let configError: Error | undefined;
    try {
      boxNmsThresh = numberOption(def.boxNmsThresh, 'boxNmsThresh', 0.7, 0, 1);
    } catch (err) {
      configError = asError(err);
      node.status({ fill: 'red', shape: 'ring', text: configError.message.slice(0, 60) });
    }
    node.on('input', (msg, send, done) => {
      try {
        if (configError) throw configError;
        const masks = masksFromMessage(msg.masks, 'sam-nms');
        const keep = nonMaxSuppression(
          masks.map((m) => boxXywhToXyxy(m.bbox)),
          masks.map((m) => m.predicted_iou),
          boxNmsThresh,
        );
        msg.masks = keep.map((i) => masks[i]);
        node.status({ fill: 'green', shape: 'dot', text: status.t('sam-nms.status.kept', { n: keep.length, total: masks.length }) });
        send(msg);
        done();
      } catch (err) {
        done(asError(err));
      }
    });
  }
  RED.nodes.registerType('sam-nms', SamNmsNode);
};
