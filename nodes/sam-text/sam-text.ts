import { decodeImage, rankMasksByText, rleToMask, type ClipModel, SamflowError, type CompressedRle, type MaskRecord, type UncompressedRle } from '../../core';
import type { Node, NodeAPI, NodeDef } from '../red';
import { clipLoader } from '../lib/clipLoader';
import { imageFromMessage } from '../lib/imageFromMessage';
import { masksFromMessage } from '../lib/masksFromMessage';
import { asError, errorText } from '../lib/asError';
import { numberOption } from '../lib/numberOption';
import { MessagesInFlight } from '../lib/MessagesInFlight';

interface SamTextDef extends NodeDef {
  /** Folder with a transformers.js CLIP export; empty = <package>/models/clip. */
  readonly clipFolder?: string;
  /** Default text when msg.text is absent. */
  readonly text?: string;
  readonly topK?: string | number;
  readonly minSimilarity?: string | number;
}

/**
 * sam-text: text prompts. Ranks msg.masks by CLIP similarity between the text (msg.text, else the
 * node's) and each mask's masked crop of the image in msg.payload; keeps the best (topK,
 * minSimilarity) with meta.similarity and meta.text.
 */
export = function register(RED: NodeAPI): void {
  function SamTextNode(this: Node, def: SamTextDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    let topK: number | undefined;
    let minSimilarity: number | undefined;
    let configError: Error | undefined;
    try {
      topK = def.topK === undefined || def.topK === '' ? undefined : numberOption(def.topK, 'topK', 1, 1, 1000, true);
      minSimilarity = def.minSimilarity === undefined || def.minSimilarity === '' ? undefined : numberOption(def.minSimilarity, 'minSimilarity', 0, -1, 1);
    } catch (err) {
      configError = asError(err);
    }
    node.status({ fill: 'yellow', shape: 'ring', text: 'loading CLIP…' });
    const started = Date.now();
    const loading: Promise<ClipModel> = clipLoader.load(def.clipFolder?.trim() || undefined);
    let closed = false;
    loading.then(
      () => {
        if (!closed) node.status({ fill: 'green', shape: 'dot', text: `CLIP loaded in ${Date.now() - started} ms` });
      },
      (err: unknown) => {
        if (!closed) node.status({ fill: 'red', shape: 'ring', text: `CLIP failed: ${errorText(err)}` });
      },
    );
    const jobs = new Set<Promise<unknown>>();

    const inFlight = new MessagesInFlight(node, 'sam-text');
    node.on('input', (msg, send, nodeDone) => {
      const done = inFlight.track(msg, nodeDone);
      const job = (async () => {
        if (configError) throw configError;
        const text = typeof msg.text === 'string' && msg.text.trim() !== '' ? msg.text : def.text?.trim();
        if (!text) throw new SamflowError('BAD_PROMPT', 'msg.text: missing. Send the text to look for in msg.text (e.g. "a cat") or set a default text in the node.', 'msg.text');
        const masks = masksFromMessage(msg.masks, 'sam-text');
        const { input, frameId } = imageFromMessage(msg.payload, msg.frameId);
        let clip: ClipModel;
        try {
          clip = await loading;
        } catch (err) {
          throw new SamflowError(
            'MODEL_NOT_FOUND',
            `sam-text: CLIP could not be loaded (${errorText(err)}). Put a transformers.js CLIP export in models/clip or set the node's folder.`,
            undefined,
            { cause: err },
          );
        }
        const t0 = Date.now();
        const frame = await decodeImage(input, { id: frameId });
        const ranked = await rankMasksByText(clip, frame, masks, (m) => rleToMask(m.segmentation as CompressedRle | UncompressedRle), text, {
          ...(topK ? { topK } : {}),
          ...(minSimilarity !== undefined ? { minSimilarity } : {}),
        });
        msg.masks = ranked.map((r): MaskRecord => ({ ...r.item, meta: { ...r.item.meta, text, similarity: r.similarity } }));
        node.status({ fill: 'green', shape: 'dot', text: `"${text.slice(0, 20)}": ${ranked.length} of ${masks.length} · ${Date.now() - t0} ms` });
        send(msg);
      })();
      jobs.add(job);
      job.then(
        () => {
          jobs.delete(job);
          done();
        },
        (err: unknown) => {
          jobs.delete(job);
          node.status({ fill: 'red', shape: 'ring', text: errorText(err) });
          done(asError(err));
        },
      );
    });
    node.on('close', (_removed, done) => {
      closed = true;
      void (async () => {
        await Promise.allSettled([...jobs]);
        try {
          await (await loading).release();
        } catch {
          // nothing loaded
        }
      })().then(done, done);
    });
  }
  RED.nodes.registerType('sam-text', SamTextNode);
};
