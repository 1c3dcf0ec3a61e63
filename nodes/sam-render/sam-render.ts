import {
  decodeImage,
  parsePrompt,
  previewImage,
  promptList,
  renderOverlay,
  rleToMask,
  SamflowError,
  type BinaryMask,
  type BoxXyxy,
  type CompressedRle,
  type PointPrompt,
  type UncompressedRle,
} from '../../core';
import type { Node, NodeAPI, NodeDef } from '../red';
import { asError, errorText } from '../lib/asError';
import { imageFromMessage } from '../lib/imageFromMessage';
import { MessagesInFlight } from '../lib/MessagesInFlight';
import { ModelRuntime } from '../lib/ModelRuntime';

interface SamRenderDef extends NodeDef {
  readonly alpha?: string | number;
  readonly outline?: boolean;
  /** Draw the clicks and boxes of msg.prompts. */
  readonly showPrompts?: boolean;
  readonly format?: 'png' | 'jpeg';
  /** Show the latest overlay under the node in the editor (off by default: it costs a JPEG per preview). */
  readonly preview?: boolean;
  /** Width of the editor preview in pixels (default 200). */
  readonly previewWidth?: string | number;
}

/** What the editor receives on `samflow/sam-render/preview/<node id>`: a data URL, or null to clear. */
interface SamRenderPreview {
  readonly data: string | null;
  readonly width: number;
}

/** Node-RED's RED.comms (a runtime → editor message bus), present in Node-RED ≥ 1.0. */
interface Comms {
  publish(topic: string, data: unknown, retain: boolean): void;
}

/** At most one preview per this many ms (the latest image wins): a 25 fps stream sends 4 a second. */
const PREVIEW_INTERVAL_MS = 250;

function masksOf(value: unknown): BinaryMask[] {
  if (!Array.isArray(value)) {
    throw new SamflowError(
      'BAD_OPTION',
      `msg.masks: expected the array of mask records that sam-decoder sets, got ${value === undefined ? 'nothing' : typeof value}. Wire sam-render after sam-decoder.`,
      'msg.masks',
    );
  }
  return value.map((r: unknown, i) => {
    const seg = typeof r === 'object' && r !== null ? (r as { segmentation?: unknown }).segmentation : undefined;
    if (typeof seg !== 'object' || seg === null || !('size' in seg) || !('counts' in seg)) {
      throw new SamflowError(
        'BAD_OPTION',
        `msg.masks[${i}]: expected a record with segmentation {size: [h, w], counts} (COCO RLE), got ${JSON.stringify(r)?.slice(0, 80)}.`,
        `msg.masks[${i}]`,
      );
    }
    return rleToMask(seg as CompressedRle | UncompressedRle);
  });
}

/**
 * sam-render: draws msg.masks over the image in msg.payload (translucent fills, outlines, the
 * prompts' clicks and boxes) and replaces msg.payload with the PNG (or JPEG) Buffer.
 */
export = function register(RED: NodeAPI): void {
  function SamRenderNode(this: Node, def: SamRenderDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const alphaNum = Number(def.alpha);
    const alpha = def.alpha === undefined || def.alpha === '' || !(alphaNum >= 0 && alphaNum <= 1) ? 0.5 : alphaNum;
    const outline = def.outline !== false;
    const showPrompts = def.showPrompts !== false;
    const format = def.format === 'jpeg' ? 'jpeg' : 'png';
    const widthNum = Number(def.previewWidth);
    const previewWidth = Number.isInteger(widthNum) && widthNum >= 16 && widthNum <= 1024 ? widthNum : 200;
    const comms = def.preview === true ? (RED as NodeAPI & { comms?: Comms }).comms : undefined;
    const previewTopic = `samflow/sam-render/preview/${node.id}`;
    let pendingImage: Buffer | undefined;
    let previewTimer: ReturnType<typeof setTimeout> | undefined;
    let previewing = false;
    let lastPreview = 0;

    /** Queues `image` for the editor preview; throttled, the latest wins, never blocks the flow. */
    function schedulePreview(image: Buffer): void {
      pendingImage = image;
      if (!comms || previewTimer || previewing) return;
      previewTimer = setTimeout(
        () => {
          previewTimer = undefined;
          const next = pendingImage;
          pendingImage = undefined;
          if (!next || !comms) return;
          previewing = true;
          lastPreview = Date.now();
          previewImage(next, previewWidth)
            .then(
              (jpg) => comms.publish(previewTopic, { data: `data:image/jpeg;base64,${jpg.toString('base64')}`, width: previewWidth } satisfies SamRenderPreview, false),
              (err: unknown) => node.warn(`sam-render preview: ${errorText(err)}`),
            )
            .finally(() => {
              previewing = false;
              if (pendingImage) schedulePreview(pendingImage);
            });
        },
        Math.max(0, lastPreview + PREVIEW_INTERVAL_MS - Date.now()),
      );
    }

    const inFlight = new MessagesInFlight(node, 'sam-render');
    node.on('input', (msg, send, nodeDone) => {
      const done = inFlight.track(msg, nodeDone);
      void (async () => {
        const masks = masksOf(msg.masks);
        const { input, frameId } = imageFromMessage(msg.payload, msg.frameId);
        // the frame sam-encoder decoded is still in the sam-model's cache: no second decode
        const frame = ModelRuntime.cachedFrame(msg.embedding, frameId) ?? (await decodeImage(input, { id: frameId }));
        const points: PointPrompt[] = [];
        const boxes: BoxXyxy[] = [];
        if (showPrompts && Array.isArray(msg.prompts)) {
          promptList(msg.prompts, 'msg.prompts').forEach((p: unknown, i) => {
            const prompt = parsePrompt(p, `msg.prompts[${i}]`);
            if (prompt.points) points.push(...prompt.points);
            if (prompt.box) boxes.push(prompt.box);
          });
        }
        const started = Date.now();
        msg.payload = await renderOverlay(frame, masks, { alpha, outline, points, boxes, format });
        node.status({ fill: 'green', shape: 'dot', text: `${masks.length} mask(s) · ${frame.width}×${frame.height} · ${Date.now() - started} ms` });
        if (comms && Buffer.isBuffer(msg.payload)) schedulePreview(msg.payload);
        send(msg);
      })().then(
        () => done(),
        (err: unknown) => {
          node.status({ fill: 'red', shape: 'ring', text: errorText(err) });
          done(asError(err));
        },
      );
    });

    node.on('close', (_removed, done) => {
      if (previewTimer) clearTimeout(previewTimer);
      previewTimer = undefined;
      pendingImage = undefined;
      // clear the editor's preview (redeployed without it, or deleted)
      (RED as NodeAPI & { comms?: Comms }).comms?.publish(previewTopic, { data: null, width: previewWidth } satisfies SamRenderPreview, false);
      done();
    });
  }
  RED.nodes.registerType('sam-render', SamRenderNode);
};
