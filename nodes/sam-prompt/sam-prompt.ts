import { SamflowError, parsePrompts, type ParsedPrompt, type PromptSources } from '../../core';
import type { Node, NodeAPI, NodeDef } from '../red';
import { asError } from '../lib/asError';

interface SamPromptDef extends NodeDef {
  /** 'msg': read msg.prompts / msg.points / msg.box / msg.boxes; 'config': the node's own fields. */
  readonly source?: 'msg' | 'config';
  /** JSON: [[x, y, label], ...] */
  readonly points?: string;
  /** JSON: [x0, y0, x1, y1] */
  readonly box?: string;
  /** 'auto' (SAM's rule), 'true', 'false' */
  readonly multimask?: string;
  /** Feed the previous mask (msg.candidates[0], from sam-decoder) back as SAM's mask_input. */
  readonly refine?: boolean;
}

function parseJsonField(text: string | undefined, field: string): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SamflowError(
      'BAD_PROMPT',
      `config.${field}: ${JSON.stringify(text)} is not valid JSON; write points as [[x, y, 1]] and a box as [x0, y0, x1, y1].`,
      `config.${field}`,
    );
  }
}

/** The earlier mask to refine: msg.maskRef, else (with the refine option) msg.candidates[0].id. */
function refineRef(maskRef: unknown, candidates: unknown): string | undefined {
  if (maskRef !== undefined) {
    if (typeof maskRef !== 'string' || maskRef === '')
      throw new SamflowError(
        'BAD_PROMPT',
        `msg.maskRef: expected the id of an earlier mask (msg.candidates[0].id from sam-decoder), got ${JSON.stringify(maskRef)}.`,
        'msg.maskRef',
      );
    return maskRef;
  }
  if (candidates === undefined) return undefined;
  const first: unknown = Array.isArray(candidates) ? candidates[0] : undefined;
  const id = typeof first === 'object' && first !== null ? (first as { id?: unknown }).id : undefined;
  if (typeof id !== 'string') return undefined; // first click: nothing to refine yet
  return id;
}

/**
 * sam-prompt: SAM's prompt input. Collects points, a box or several boxes from the message (or the
 * node's configuration) into `msg.prompts`, validated, in original-image pixels.
 */
export = function register(RED: NodeAPI): void {
  function SamPromptNode(this: Node, def: SamPromptDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const fromConfig = def.source === 'config';
    const multimask = def.multimask === 'true' ? true : def.multimask === 'false' ? false : undefined;
    let configured: ParsedPrompt[] | undefined;
    let configError: Error | undefined;
    if (fromConfig) {
      try {
        const points = parseJsonField(def.points, 'points');
        const box = parseJsonField(def.box, 'box');
        configured = parsePrompts({ points, box }, 'config');
        node.status({ fill: 'grey', shape: 'dot', text: `${configured.length} prompt(s) from config` });
      } catch (err) {
        configError = asError(err);
        node.status({ fill: 'red', shape: 'ring', text: 'bad prompt in config' });
      }
    }
    node.on('input', (msg, send, done) => {
      try {
        if (configError) throw configError;
        const src: PromptSources = { prompts: msg.prompts, points: msg.points, box: msg.box, boxes: msg.boxes };
        let prompts = configured ?? parsePrompts(src, 'msg');
        if (multimask !== undefined) prompts = prompts.map((p) => ({ ...p, multimask }));
        const maskRef = refineRef(msg.maskRef, def.refine === true ? msg.candidates : undefined);
        if (maskRef) prompts = prompts.map((p) => ({ ...p, maskRef }));
        msg.prompts = prompts;
        send(msg);
        done();
      } catch (err) {
        done(asError(err));
      }
    });
  }
  RED.nodes.registerType('sam-prompt', SamPromptNode);
};
