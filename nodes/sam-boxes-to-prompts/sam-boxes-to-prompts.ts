import { boxesToPrompts, type BoxesToPromptsOptions, type DetectionBoxInput, type PointHints, SamflowError } from '../../core';
import type { Node, NodeAPI, NodeDef } from '../red';
import { readEmbeddingHandle } from '../lib/EmbeddingHandle';
import { asError } from '../lib/asError';
import { numberOption } from '../lib/numberOption';

interface SamBoxesToPromptsDef extends NodeDef {
  /** Comma-separated COCO class names; empty = all. */
  readonly classes?: string;
  readonly minScore?: string | number;
  readonly expand?: string | number;
  readonly pointHints?: PointHints;
  readonly maxInstances?: string | number;
}

function optionsOf(def: SamBoxesToPromptsDef): BoxesToPromptsOptions {
  const classes = (def.classes ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  const maxInstances = def.maxInstances === undefined || def.maxInstances === '' ? undefined : numberOption(def.maxInstances, 'maxInstances', 1, 1, 1000, true);
  return {
    ...(classes.length ? { classes } : {}),
    minScore: numberOption(def.minScore, 'minScore', 0, 0, 1),
    expand: numberOption(def.expand, 'expand', 0, 0, 10_000),
    pointHints: def.pointHints === 'center' || def.pointHints === 'center+negatives' ? def.pointHints : 'none',
    ...(maxInstances ? { maxInstances } : {}),
  };
}

/**
 * sam-boxes-to-prompts: detector output (msg.detections, else msg.payload: coco-ssd
 * `{bbox:[x,y,w,h], class, score}`, `{box:[x0,y0,x1,y1]}` or bare boxes) → one SAM box prompt
 * per kept detection on msg.prompts, each carrying meta {class, score}.
 */
export = function register(RED: NodeAPI): void {
  function SamBoxesToPromptsNode(this: Node, def: SamBoxesToPromptsDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    let opts: BoxesToPromptsOptions = {};
    let configError: Error | undefined;
    try {
      opts = optionsOf(def);
    } catch (err) {
      configError = asError(err);
      node.status({ fill: 'red', shape: 'ring', text: configError.message.slice(0, 60) });
    }
    node.on('input', (msg, send, done) => {
      try {
        if (configError) throw configError;
        const source = msg.detections !== undefined ? 'msg.detections' : 'msg.payload';
        const detections = msg.detections !== undefined ? msg.detections : msg.payload;
        if (!Array.isArray(detections)) {
          throw new SamflowError(
            'BAD_PROMPT',
            `${source}: expected an array of detections ({bbox: [x, y, w, h], class, score} as sam-detector or coco-ssd emit, {box: [x0, y0, x1, y1]} or [x0, y0, x1, y1]), got ${detections === undefined ? 'nothing' : typeof detections}.`,
            source,
          );
        }
        const image = msg.embedding !== undefined ? readEmbeddingHandle(msg.embedding, 'sam-boxes-to-prompts') : undefined;
        const prompts = boxesToPrompts(detections as DetectionBoxInput[], { ...opts, ...(image ? { image } : {}) });
        msg.prompts = prompts;
        node.status({ fill: prompts.length ? 'green' : 'grey', shape: 'dot', text: `${prompts.length} of ${detections.length} detection(s)` });
        send(msg);
        done();
      } catch (err) {
        done(asError(err));
      }
    });
  }
  RED.nodes.registerType('sam-boxes-to-prompts', SamBoxesToPromptsNode);
};
