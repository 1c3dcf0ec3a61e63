import { buildPointGrid, type ParsedPrompt } from '../../core';
import type { Node, NodeAPI, NodeDef } from '../red';
import { readEmbeddingHandle } from '../lib/EmbeddingHandle';
import { asError } from '../lib/asError';
import { numberOption } from '../lib/numberOption';

interface SamGridDef extends NodeDef {
  readonly pointsPerSide?: string | number;
}

/**
 * sam-grid: SAM's grid prompter. For the image behind msg.embedding, msg.prompts becomes
 * pointsPerSide² single-click prompts on a regular grid (SAM's build_point_grid, cell centres).
 */
export = function register(RED: NodeAPI): void {
  function SamGridNode(this: Node, def: SamGridDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    let pointsPerSide = 32;
    let configError: Error | undefined;
    try {
      pointsPerSide = numberOption(def.pointsPerSide, 'pointsPerSide', 32, 1, 256, true);
      node.status({ fill: 'grey', shape: 'dot', text: `${pointsPerSide}×${pointsPerSide} points` });
    } catch (err) {
      configError = asError(err);
      node.status({ fill: 'red', shape: 'ring', text: 'bad pointsPerSide' });
    }
    node.on('input', (msg, send, done) => {
      try {
        if (configError) throw configError;
        const { width, height } = readEmbeddingHandle(msg.embedding, 'sam-grid');
        const prompts: ParsedPrompt[] = buildPointGrid(pointsPerSide).map(([gx, gy], i) => ({
          points: [{ x: gx * width, y: gy * height, label: 1 }],
          meta: { gridIndex: i },
        }));
        msg.prompts = prompts;
        send(msg);
        done();
      } catch (err) {
        done(asError(err));
      }
    });
  }
  RED.nodes.registerType('sam-grid', SamGridNode);
};
