import { decodeMasks, EmbeddingCache, toRecords } from '../../core';
import { SamflowError } from '../../core/errors';
import type { MaskCandidate } from '../../core/types';
import type { Node, NodeAPI, NodeDef } from '../red';
import { readEmbeddingHandle } from '../lib/EmbeddingHandle';
import { attachModel, noModelError } from '../lib/modelUser';
import { parsePrompt } from '../lib/promptsFromInput';

interface SamDecoderDef extends NodeDef {
  readonly model?: string;
  /** 'best': one mask per prompt (the highest predicted IoU); 'all': every mask the decoder returns. */
  readonly keep?: 'best' | 'all';
}

/**
 * sam-decoder: the handle on msg.embedding + msg.prompts → msg.masks, SA-1B records with COCO
 * compressed RLE at the original image size, best (highest predicted IoU) first.
 */
export = function register(RED: NodeAPI): void {
  function SamDecoderNode(this: Node, def: SamDecoderDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const keepAll = def.keep === 'all';
    const runtime = attachModel(RED, node, def.model);
    let active = 0;

    node.on('input', (msg, send, done) => {
      void (async () => {
        if (!runtime) throw noModelError('sam-decoder');
        const handle = readEmbeddingHandle(msg.embedding, 'sam-decoder');
        const raw = msg.prompts;
        if (raw === undefined) {
          throw new SamflowError('BAD_PROMPT', 'msg.prompts: missing. Wire a sam-prompt (or sam-grid, sam-boxes-to-prompts) before sam-decoder, or set msg.prompts = [{points: [[x, y, 1]]}].', 'msg.prompts');
        }
        const list = Array.isArray(raw) ? raw : [raw];
        const prompts = list.map((p, i) => parsePrompt(p, `msg.prompts[${i}]`));
        active++;
        node.status({ fill: 'blue', shape: 'ring', text: `decoding ${prompts.length} prompt(s)…` });
        const started = Date.now();
        try {
          const records = await runtime.run(async (model) => {
            const embedded = runtime.embeddings.get(EmbeddingCache.keyOf(handle.modelId, handle.frameId));
            if (!embedded) {
              throw new SamflowError('BAD_OPTION', `msg.embedding: the embedding of frame "${handle.frameId}" is no longer cached in sam-model (evicted or the model was redeployed). Raise the cache size of sam-model or send the image through sam-encoder again.`, 'msg.embedding');
            }
            if (handle.modelId !== model.id) {
              throw new SamflowError('BAD_OPTION', `msg.embedding: made by model "${handle.modelId}" but this sam-decoder uses "${model.id}"; select the same sam-model in sam-encoder and sam-decoder.`, 'msg.embedding');
            }
            const kept: MaskCandidate[] = [];
            for (const prompt of prompts) {
              const candidates = await decodeMasks(model, embedded, prompt);
              kept.push(...(keepAll ? candidates : candidates.slice(0, 1)));
            }
            return toRecords(kept);
          });
          records.sort((a, b) => b.predicted_iou - a.predicted_iou);
          msg.masks = records;
          node.status({ fill: 'green', shape: 'dot', text: `${records.length} mask(s) · ${Date.now() - started} ms` });
          send(msg);
        } finally {
          active--;
        }
      })().then(
        () => done(),
        (err: unknown) => {
          if (active === 0) node.status({ fill: 'red', shape: 'ring', text: err instanceof Error ? err.message.slice(0, 60) : 'error' });
          done(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }
  RED.nodes.registerType('sam-decoder', SamDecoderNode);
};
