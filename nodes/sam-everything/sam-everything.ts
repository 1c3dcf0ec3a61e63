import { generateMasks, type GenerateMasksOptions } from '../../core';
import type { Node, NodeAPI, NodeDef } from '../red';
import { queuedInput, type QueuedNodeDef } from '../lib/queuedInput';
import { embedMessage } from '../lib/embedMessage';
import { attachModel, noModelError } from '../lib/modelUser';
import { asError } from '../lib/asError';
import { numberOption } from '../lib/numberOption';
import { attachCluster } from '../lib/clusterUser';

interface SamEverythingDef extends NodeDef, QueuedNodeDef {
  readonly model?: string;
  /** A sam-cluster config node: when set, images go to the cluster's workers instead of `model`. */
  readonly cluster?: string;
  readonly pointsPerSide?: string | number;
  readonly predIouThresh?: string | number;
  readonly stabilityScoreThresh?: string | number;
  readonly boxNmsThresh?: string | number;
  readonly minMaskRegionArea?: string | number;
  readonly cropNLayers?: string | number;
  readonly skipCovered?: boolean;
}

function optionsOf(def: SamEverythingDef): GenerateMasksOptions {
  return {
    pointsPerSide: numberOption(def.pointsPerSide, 'pointsPerSide', 32, 1, 128, true),
    predIouThresh: numberOption(def.predIouThresh, 'predIouThresh', 0.88, 0, 1),
    stabilityScoreThresh: numberOption(def.stabilityScoreThresh, 'stabilityScoreThresh', 0.95, 0, 1),
    boxNmsThresh: numberOption(def.boxNmsThresh, 'boxNmsThresh', 0.7, 0, 1),
    minMaskRegionArea: numberOption(def.minMaskRegionArea, 'minMaskRegionArea', 0, 0, 1e9, true),
    cropNLayers: numberOption(def.cropNLayers, 'cropNLayers', 0, 0, 3, true),
    skipCovered: def.skipCovered === true,
  };
}

/**
 * sam everything (composite): SAM's automatic mask generator in one node — encode (cached), grid
 * prompts, decode, predicted-IoU and stability filters on the low-res logits, box NMS, optional
 * crops and small-region cleanup — → msg.masks, SA-1B records, best first. Shows progress; a
 * redeploy cancels the run between decoder batches.
 */
export = function register(RED: NodeAPI): void {
  function SamEverythingNode(this: Node, def: SamEverythingDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    let opts: GenerateMasksOptions = {};
    let configError: Error | undefined;
    try {
      opts = optionsOf(def);
    } catch (err) {
      configError = asError(err);
    }
    const cluster = attachCluster(RED, node, def.cluster);
    const runtime = cluster ? undefined : attachModel(RED, node, def.model);
    const abort = new AbortController();
    const queue = queuedInput(node, def, {
      nodeType: 'sam-everything',
      configError,
      concurrency: cluster?.concurrency ?? 1,
      work: async (msg) => {
        if (cluster) {
          msg.masks = await cluster.submitMessage(node.id, msg, { task: 'everything', options: opts });
          return msg;
        }
        if (!runtime) throw noModelError('sam everything');
        const started = Date.now();
        const dropped = (): number => queue.dropped;
        const records = await runtime.run(async (model) => {
          const embedded = await embedMessage(runtime, model, msg);
          return generateMasks(model, embedded.frame, {
            ...opts,
            embedded,
            signal: abort.signal,
            onProgress: (p) =>
              node.status({ fill: 'blue', shape: 'ring', text: `${p.done}/${p.total} points · ${p.decoded} decodes${dropped() ? ` · dropped ${dropped()}` : ''}` }),
          });
        });
        msg.masks = records;
        node.status({
          fill: 'green',
          shape: 'dot',
          text: `${records.length} mask(s) · ${((Date.now() - started) / 1000).toFixed(1)} s${dropped() ? ` · dropped ${dropped()}` : ''}`,
        });
        return msg;
      },
      onClose: () => abort.abort(new Error('sam everything: stopped by a redeploy')),
    });
  }
  RED.nodes.registerType('sam-everything', SamEverythingNode);
};
