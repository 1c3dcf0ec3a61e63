import { decodeMasks, EmbeddingCache, parsePrompt, promptList, toRecords, SamflowError, type MaskCandidate, type SamPrompt } from '../../core';
import type { CandidateHandle } from '../lib/CandidateStore';
import type { Node, NodeAPI, NodeDef } from '../red';
import { asError, errorText } from '../lib/asError';
import { readEmbeddingHandle } from '../lib/EmbeddingHandle';
import { attachModel, noModelError } from '../lib/modelUser';
import { MessagesInFlight } from '../lib/MessagesInFlight';

interface SamDecoderDef extends NodeDef {
  readonly model?: string;
  /**
   * Masks per prompt. 'best': one (the highest predicted IoU of what SAM's rule gives); 'all': SAM's
   * rule (3 for a lone click without box, else 1; a prompt's `multimask` overrides); 'all3': the 3
   * ambiguity masks of every prompt.
   */
  readonly keep?: 'best' | 'all' | 'all3';
  /** Also set msg.candidates: handles to the low-res logits kept in sam-model (for mask_input refinement). */
  readonly candidates?: boolean;
}

/**
 * sam-decoder: the handle on msg.embedding + msg.prompts → msg.masks, SA-1B records with COCO
 * compressed RLE at the original image size, best (highest predicted IoU) first.
 */
export = function register(RED: NodeAPI): void {
  function SamDecoderNode(this: Node, def: SamDecoderDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const keepAll = def.keep === 'all' || def.keep === 'all3';
    const decodeOptions = def.keep === 'all3' ? { multimask: true } : {};
    const withCandidates = def.candidates === true;
    const runtime = attachModel(RED, node, def.model);
    let active = 0;

    const inFlight = new MessagesInFlight(node, 'sam-decoder');
    node.on('input', (msg, send, nodeDone) => {
      const done = inFlight.track(msg, nodeDone);
      void (async () => {
        if (!runtime) throw noModelError('sam-decoder');
        const handle = readEmbeddingHandle(msg.embedding, 'sam-decoder');
        const raw = msg.prompts;
        if (raw === undefined) {
          throw new SamflowError(
            'BAD_PROMPT',
            'msg.prompts: missing. Wire a sam-prompt (or sam-grid, sam-boxes-to-prompts) before sam-decoder, or set msg.prompts = [{points: [[x, y, 1]]}].',
            'msg.prompts',
          );
        }
        const prompts = promptList(raw, 'msg.prompts').map((p, i) => parsePrompt(p, `msg.prompts[${i}]`));
        active++;
        node.status({ fill: 'blue', shape: 'ring', text: `decoding ${prompts.length} prompt(s)…` });
        const started = Date.now();
        try {
          const records = await runtime.run(async (model) => {
            const embedded = runtime.embeddings.get(EmbeddingCache.keyOf(handle.modelId, handle.frameId));
            if (!embedded) {
              throw new SamflowError(
                'BAD_OPTION',
                `msg.embedding: the embedding of frame "${handle.frameId}" is no longer cached in sam-model (evicted or the model was redeployed). Raise the cache size of sam-model or send the image through sam-encoder again.`,
                'msg.embedding',
              );
            }
            if (handle.modelId !== model.id) {
              throw new SamflowError(
                'BAD_OPTION',
                `msg.embedding: made by model "${handle.modelId}" but this sam-decoder uses "${model.id}"; select the same sam-model in sam-encoder and sam-decoder.`,
                'msg.embedding',
              );
            }
            const kept: MaskCandidate[] = [];
            for (const [i, prompt] of prompts.entries()) {
              let samPrompt: SamPrompt = prompt;
              if (prompt.maskRef) {
                const previous = runtime.candidates.get(prompt.maskRef);
                if (!previous) {
                  throw new SamflowError(
                    'BAD_PROMPT',
                    `msg.prompts[${i}].maskRef: no kept mask "${prompt.maskRef}" (sam-model keeps the last 64); decode again with "Output msg.candidates" on.`,
                    `msg.prompts[${i}].maskRef`,
                  );
                }
                if (previous.frameId !== embedded.frame.id) {
                  throw new SamflowError(
                    'BAD_PROMPT',
                    `msg.prompts[${i}].maskRef: mask "${prompt.maskRef}" belongs to frame "${previous.frameId}", not "${embedded.frame.id}"; a mask input must come from the same image.`,
                    `msg.prompts[${i}].maskRef`,
                  );
                }
                samPrompt = { ...prompt, maskInput: previous.lowResLogits };
              }
              const candidates = await decodeMasks(model, embedded, samPrompt, decodeOptions);
              kept.push(...(keepAll ? candidates : candidates.slice(0, 1)));
            }
            const pairs = toRecords(kept).map((record, i) => ({ record, candidate: kept[i] }));
            pairs.sort((a, b) => b.record.predicted_iou - a.record.predicted_iou);
            return pairs;
          });
          msg.masks = records.map((p) => p.record);
          if (withCandidates) msg.candidates = records.map((p): CandidateHandle => runtime.candidates.add(p.candidate));
          node.status({ fill: 'green', shape: 'dot', text: `${records.length} mask(s) · ${Date.now() - started} ms` });
          send(msg);
        } finally {
          active--;
        }
      })().then(
        () => done(),
        (err: unknown) => {
          if (active === 0) node.status({ fill: 'red', shape: 'ring', text: errorText(err) });
          done(asError(err));
        },
      );
    });
  }
  RED.nodes.registerType('sam-decoder', SamDecoderNode);
};
