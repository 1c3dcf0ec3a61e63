import { Subject, type Subscription } from 'rxjs';
import {
  parseBox,
  parsePoints,
  parsePrompt,
  promptList,
  toRecords,
  trackMasks,
  type TrackedFrame,
  type TrackedObjectInit,
  type TrackPromptMode,
  SamflowError,
  type SamModel,
  type EmbeddedFrame,
  type MaskRecord,
} from '../../core';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../red';
import { queuedInput, type QueuedNodeDef } from '../lib/queuedInput';
import { embedMessage } from '../lib/embedMessage';
import { attachModel, noModelError } from '../lib/modelUser';
import { asError } from '../lib/asError';
import { numberOption } from '../lib/numberOption';

interface SamTrackDef extends NodeDef, QueuedNodeDef {
  readonly model?: string;
  readonly promptMode?: TrackPromptMode;
  readonly boxMargin?: string | number;
  readonly minPredictedIou?: string | number;
}

const PROMPT_MODES: readonly TrackPromptMode[] = ['box', 'box+point', 'box+mask', 'box+mask+point'];

/** The objects to follow from `msg.objects` ([{id, box?, points?}]) or `msg.prompts` (id = meta.objectId or index); undefined when neither. */
function objectsOf(msg: NodeMessage): TrackedObjectInit[] | undefined {
  if (msg.objects !== undefined) {
    if (!Array.isArray(msg.objects) || msg.objects.length === 0) {
      throw new SamflowError('BAD_PROMPT', 'msg.objects: expected a non-empty array [{id, box: [x0, y0, x1, y1]} or {id, points: [[x, y, 1]]}].', 'msg.objects');
    }
    return promptList(msg.objects, 'msg.objects').map((o: unknown, i): TrackedObjectInit => {
      const r = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>;
      const id = typeof r.id === 'string' || typeof r.id === 'number' ? r.id : i;
      const box = r.box === undefined ? undefined : parseBox(r.box, `msg.objects[${i}].box`);
      const points = r.points === undefined ? undefined : parsePoints(r.points, `msg.objects[${i}].points`);
      if (!box && !points?.length) throw new SamflowError('BAD_PROMPT', `msg.objects[${i}]: give a box or points for object ${String(id)}.`, `msg.objects[${i}]`);
      return { id, ...(box ? { box } : {}), ...(points?.length ? { points } : {}) };
    });
  }
  if (msg.prompts !== undefined) {
    return promptList(msg.prompts, 'msg.prompts').map((p: unknown, i): TrackedObjectInit => {
      const prompt = parsePrompt(p, `msg.prompts[${i}]`);
      const objectId = prompt.meta?.objectId;
      return { id: objectId ?? i, ...(prompt.box ? { box: prompt.box } : {}), ...(prompt.points ? { points: prompt.points } : {}) };
    });
  }
  return undefined;
}

/**
 * sam-track: follows objects through a stream of frames (trackMasks: each object's mask on frame t
 * prompts SAM on frame t+1). The first frame (or any frame) carries the objects to follow in
 * msg.objects or msg.prompts; every frame gets msg.masks (one record per tracked object, meta.objectId),
 * msg.objects (state per object) and msg.events (lost / found).
 */
export = function register(RED: NodeAPI): void {
  function SamTrackNode(this: Node, def: SamTrackDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const promptMode = PROMPT_MODES.includes(def.promptMode as TrackPromptMode) ? (def.promptMode as TrackPromptMode) : 'box+mask+point';
    let boxMargin = 0.1;
    let minPredictedIou = 0.5;
    let configError: Error | undefined;
    try {
      boxMargin = numberOption(def.boxMargin, 'boxMargin', 0.1, 0, 2);
      minPredictedIou = numberOption(def.minPredictedIou, 'minPredictedIou', 0.5, 0, 1);
    } catch (err) {
      configError = asError(err);
    }
    const runtime = attachModel(RED, node, def.model);
    let frames: Subject<EmbeddedFrame> | undefined;
    let subscription: Subscription | undefined;
    let waiting: { resolve: (t: TrackedFrame) => void; reject: (e: Error) => void } | undefined;

    function restart(model: SamModel, objects: TrackedObjectInit[]): void {
      subscription?.unsubscribe();
      frames = new Subject<EmbeddedFrame>();
      subscription = frames
        .pipe(
          trackMasks(model, {
            objects,
            promptMode,
            boxMargin,
            minPredictedIou,
            policy: 'all',
            onError: 'skip',
            errors: (skipped) => waiting?.reject(asError(skipped.error)),
          }),
        )
        .subscribe({
          next: (t) => waiting?.resolve(t),
          error: (err: unknown) => {
            waiting?.reject(asError(err));
            frames = undefined;
          },
        });
    }

    function track(embedded: EmbeddedFrame): Promise<TrackedFrame> {
      return new Promise<TrackedFrame>((resolve, reject) => {
        waiting = { resolve, reject };
        frames!.next(embedded);
      }).finally(() => {
        waiting = undefined;
      });
    }

    const queue = queuedInput(node, def, {
      nodeType: 'sam-track',
      configError,
      work: async (msg) => {
        if (!runtime) throw noModelError('sam-track');
        const objects = objectsOf(msg);
        const started = Date.now();
        const tracked = await runtime.run(async (model) => {
          const embedded = await embedMessage(runtime, model, msg);
          if (objects) restart(model, objects);
          if (!frames) {
            throw new SamflowError(
              'BAD_PROMPT',
              'sam-track: no objects to follow yet. Send msg.objects = [{id, box: [x0, y0, x1, y1]}] (or msg.prompts) with the first frame.',
              'msg.objects',
            );
          }
          return track(embedded);
        });
        const masks: MaskRecord[] = [];
        for (const o of tracked.objects) {
          if (o.state !== 'tracked' || !o.candidate) continue;
          const [record] = toRecords([o.candidate]);
          if (record) masks.push({ ...record, meta: { ...record.meta, objectId: o.objectId } });
        }
        msg.masks = masks;
        msg.objects = tracked.objects.map((o) => ({ objectId: o.objectId, state: o.state, box: o.box, area: o.area, predictedIou: o.predictedIou, framesLost: o.framesLost }));
        msg.events = tracked.events;
        const lost = tracked.objects.filter((o) => o.state === 'lost').length;
        const dropped = queue.dropped;
        node.status({
          fill: lost ? 'yellow' : 'green',
          shape: 'dot',
          text: `${masks.length} tracked${lost ? ` · ${lost} lost` : ''} · ${Date.now() - started} ms${dropped ? ` · dropped ${dropped}` : ''}`,
        });
        return msg;
      },
      onClose: () => subscription?.unsubscribe(),
    });
  }
  RED.nodes.registerType('sam-track', SamTrackNode);
};
