import type { Node, NodeAPI, NodeDef } from '../red';
import { NodeStatus } from '../lib/NodeStatus';
import { masksFromMessage } from '../lib/masksFromMessage';
import { asError } from '../lib/asError';
import { numberOption } from '../lib/numberOption';

interface SamStabilityDef extends NodeDef {
  readonly predIouThresh?: string | number;
  readonly stabilityScoreThresh?: string | number;
}

/**
 * sam-stability: SAM's mask quality filters on msg.masks: keeps records whose predicted_iou is
 * > predIouThresh (default 0.88) and whose stability_score is >= stabilityScoreThresh (default 0.95).
 */
export = function register(RED: NodeAPI): void {
  function SamStabilityNode(this: Node, def: SamStabilityDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const status = NodeStatus.attach(RED, node);
    let predIouThresh = 0.88;
    let stabilityScoreThresh = 0.95;
    let configError: Error | undefined;
    try {
      predIouThresh = numberOption(def.predIouThresh, 'predIouThresh', 0.88, 0, 1);
      stabilityScoreThresh = numberOption(def.stabilityScoreThresh, 'stabilityScoreThresh', 0.95, 0, 1);
    } catch (err) {
      configError = asError(err);
      node.status({ fill: 'red', shape: 'ring', text: configError.message.slice(0, 60) });
    }
    node.on('input', (msg, send, done) => {
      try {
        if (configError) throw configError;
        const masks = masksFromMessage(msg.masks, 'sam-stability');
        // SAM: keep iou_preds > pred_iou_thresh and stability_score >= stability_score_thresh (0 disables each)
        const kept = masks.filter((m) => (predIouThresh <= 0 || m.predicted_iou > predIouThresh) && (stabilityScoreThresh <= 0 || m.stability_score >= stabilityScoreThresh));
        msg.masks = kept;
        node.status({ fill: 'green', shape: 'dot', text: status.t('sam-stability.status.kept', { n: kept.length, total: masks.length }) });
        send(msg);
        done();
      } catch (err) {
        done(asError(err));
      }
    });
  }
  RED.nodes.registerType('sam-stability', SamStabilityNode);
};
