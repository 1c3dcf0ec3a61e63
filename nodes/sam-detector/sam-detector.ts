import { decodeImage, type DetectOptions } from '../../core';
import type { Node, NodeAPI, NodeDef } from '../red';
import { DetectorHolder } from '../lib/DetectorHolder';
import type { DropQueueStats } from '../lib/DropQueue';
import { queuedInput, type QueuedNodeDef } from '../lib/queuedInput';
import { imageFromMessage } from '../lib/imageFromMessage';
import { asError } from '../lib/asError';
import { numberOption } from '../lib/numberOption';

interface SamDetectorDef extends NodeDef, QueuedNodeDef {
  /** Comma-separated COCO class names; empty = all 80. */
  readonly classes?: string;
  readonly minScore?: string | number;
  readonly maxDetections?: string | number;
}

/**
 * sam-detector: COCO object detector (centernet on tfjs, offline) → msg.detections in the coco-ssd
 * format [{bbox: [x, y, w, h], class, score}], best first, for sam-boxes-to-prompts.
 */
export = function register(RED: NodeAPI): void {
  function SamDetectorNode(this: Node, def: SamDetectorDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    let opts: DetectOptions = {};
    let configError: Error | undefined;
    try {
      const classes = (def.classes ?? '')
        .split(',')
        .map((c) => c.trim())
        .filter((c) => c !== '');
      opts = {
        minScore: numberOption(def.minScore, 'minScore', 0.15, 0, 1),
        maxDetections: numberOption(def.maxDetections, 'maxDetections', 20, 1, 100, true),
        ...(classes.length ? { classes } : {}),
      };
    } catch (err) {
      configError = asError(err);
    }
    let ready = false;
    let lastMs: number | undefined;
    let lastCount = 0;
    node.status({ fill: 'yellow', shape: 'ring', text: 'loading detector…' });
    const holder = new DetectorHolder((state, detail) => {
      ready = state === 'ready';
      node.status(ready ? { fill: 'green', shape: 'dot', text: detail } : { fill: 'red', shape: 'ring', text: `detector failed: ${detail.slice(0, 50)}` });
    });
    const show = (s: DropQueueStats): void => {
      if (!ready || lastMs === undefined) return;
      const parts = [`${lastCount} object(s)`, `${lastMs} ms`];
      if (s.waiting) parts.push(`queue ${s.waiting}`);
      if (s.dropped) parts.push(`dropped ${s.dropped}`);
      node.status({ fill: s.dropped ? 'yellow' : 'green', shape: s.busy ? 'ring' : 'dot', text: parts.join(' · ') });
    };
    queuedInput(node, def, {
      nodeType: 'sam-detector',
      configError,
      work: async (msg) => {
        const { input, frameId } = imageFromMessage(msg.payload, msg.frameId);
        const started = Date.now();
        const frame = await decodeImage(input, { id: frameId });
        const detections = await holder.run((d) => d.detect(frame, opts));
        lastMs = Date.now() - started;
        lastCount = detections.length;
        msg.detections = detections;
        return msg;
      },
      onChange: show,
      onClose: () => holder.close(),
    });
  }
  RED.nodes.registerType('sam-detector', SamDetectorNode);
};
