import { parsePrompt, segmentPrompts, type AmgRecord, type SamJobPrompt, SamflowError, type CompressedRle } from '../../core';
import type { Node, NodeAPI, NodeDef, NodeDone, NodeMessage, NodeSend } from '../red';
import { DropQueue, nodePolicy } from '../lib/DropQueue';
import { embedMessage } from '../lib/embedMessage';
import { attachModel, noModelError } from '../lib/modelUser';
import { attachCluster } from '../lib/clusterUser';
import { asError, errorText } from '../lib/asError';

interface SamSegmentDef extends NodeDef {
  readonly model?: string;
  /** A sam-cluster config node: when set, prompts are decoded on the cluster's workers. */
  readonly cluster?: string;
  /** 'best': one mask per prompt; 'all': every mask the decoder returns. */
  readonly keep?: 'best' | 'all';
  /** 'latest' (default), 'queue' (4 waiting) or 'all'. */
  readonly policy?: string;
}

interface Pending {
  readonly msg: NodeMessage;
  readonly send: NodeSend;
  readonly done: NodeDone;
}

/** The best record per prompt (or all), best predicted IoU first, without the prompt index. */
function keepRecords(records: readonly AmgRecord<CompressedRle>[], keepAll: boolean): AmgRecord<CompressedRle>[] {
  const byPrompt = new Map<unknown, AmgRecord<CompressedRle>>();
  const kept: AmgRecord<CompressedRle>[] = [];
  for (const r of records) {
    if (keepAll) kept.push(r);
    else {
      const k = r.meta?.promptIndex;
      const best = byPrompt.get(k);
      if (!best || r.predicted_iou > best.predicted_iou) byPrompt.set(k, r);
    }
  }
  const out = keepAll ? kept : [...byPrompt.values()];
  return out
    .map((r) => {
      const { promptIndex: _p, ...meta } = r.meta ?? {};
      const { meta: _m, ...rest } = r;
      return Object.keys(meta).length ? { ...rest, meta } : rest;
    })
    .sort((a, b) => b.predicted_iou - a.predicted_iou);
}

/**
 * sam segment (composite): the image in msg.payload + msg.prompts (points/boxes) → msg.masks, SA-1B
 * records, best first — on a local sam-model (embedding cached) or on a sam-cluster's workers.
 */
export = function register(RED: NodeAPI): void {
  function SamSegmentNode(this: Node, def: SamSegmentDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const keepAll = def.keep === 'all';
    const cluster = attachCluster(RED, node, def.cluster);
    const runtime = cluster ? undefined : attachModel(RED, node, def.model);
    const queue = new DropQueue<Pending>(
      nodePolicy(def.policy),
      async ({ msg, send, done }) => {
        try {
          const raw = msg.prompts;
          if (raw === undefined) {
            throw new SamflowError('BAD_PROMPT', 'msg.prompts: missing. Set msg.prompts = [{points: [[x, y, 1]]}] or [{box: [x0, y0, x1, y1]}].', 'msg.prompts');
          }
          const prompts: SamJobPrompt[] = (Array.isArray(raw) ? raw : [raw]).map((p, i) => {
            const { maskRef, ...prompt } = parsePrompt(p, `msg.prompts[${i}]`);
            if (maskRef !== undefined)
              throw new SamflowError('BAD_PROMPT', `msg.prompts[${i}].maskRef: sam segment takes points and boxes only; use sam-decoder for mask refinement`, `msg.prompts[${i}]`);
            return prompt;
          });
          let records: AmgRecord<CompressedRle>[];
          if (cluster) {
            records = (await cluster.submitMessage(node.id, msg, { task: 'segment', prompts })) as AmgRecord<CompressedRle>[];
          } else {
            if (!runtime) throw noModelError('sam segment');
            records = await runtime.run(async (model) => segmentPrompts(model, await embedMessage(runtime, model, msg), prompts));
          }
          msg.masks = keepRecords(records, keepAll);
          if (!cluster) node.status({ fill: 'green', shape: 'dot', text: `${(msg.masks as unknown[]).length} mask(s)` });
          send(msg);
          done();
        } catch (err) {
          node.status({ fill: 'red', shape: 'ring', text: errorText(err) });
          done(asError(err));
        }
      },
      ({ done }) => done(),
      undefined,
      cluster?.concurrency ?? 1,
    );
    node.on('input', (msg, send, done) => queue.push({ msg, send, done }));
    node.on('close', (_removed, done) => {
      queue.close();
      done();
    });
  }
  RED.nodes.registerType('sam-segment', SamSegmentNode);
};
