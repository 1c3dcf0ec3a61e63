import { decodeImage } from '../image/decodeImage';
import { SamflowError } from '../errors';
import { encodeImage } from '../model/encodeImage';
import type { SamModel } from '../model/SamModel';
import type { InteractiveDatasetItem } from './listInteractiveDataset';
import { loadGroundTruth } from './loadGroundTruth';
import { runClickSession } from './runClickSession';
import { samClickPredictor, type ClickStrategy } from './samClickPredictor';
import { summarizeInteractive, type InteractiveItemResult, type InteractiveSummary } from './summarizeInteractive';

export interface EvaluateInteractiveOptions {
  /** NoC cap. Default 20. */
  readonly maxClicks?: number;
  /** Stop an object's clicks once its IoU reaches this. Default 0.9 (NoC@90 needs nothing after it); 1.01 = always run maxClicks. */
  readonly stopAtIou?: number;
  readonly strategy?: ClickStrategy;
  /** Called after each item (progress output). */
  readonly onItem?: (result: InteractiveItemResult, index: number, total: number) => void;
}

export interface InteractiveEvaluation {
  readonly strategy: ClickStrategy;
  readonly modelId: string;
  readonly items: InteractiveItemResult[];
  readonly summary: InteractiveSummary;
}

/**
 * The standard interactive protocol over a list of (image, ground truth) pairs with one SAM model:
 * per image, encode once, then click (nextClick) and decode until maxClicks or stopAtIou.
 */
export async function evaluateInteractive(model: SamModel, items: readonly InteractiveDatasetItem[], opts: EvaluateInteractiveOptions = {}): Promise<InteractiveEvaluation> {
  const maxClicks = opts.maxClicks ?? 20;
  const strategy = opts.strategy ?? 'plain';
  const results: InteractiveItemResult[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const gt = await loadGroundTruth(item.maskPath, item.encoding);
    const t0 = performance.now();
    const frame = await decodeImage(item.imagePath, { id: item.id });
    if (frame.width !== gt.width || frame.height !== gt.height) {
      throw new SamflowError(
        'BAD_IMAGE',
        `${item.maskPath}: ground truth is ${gt.width}x${gt.height} but the image ${item.imagePath} is ${frame.width}x${frame.height}; masks must match their images`,
        item.maskPath,
      );
    }
    const embedded = await encodeImage(model, frame);
    const encodeMs = performance.now() - t0;
    const session = await runClickSession(gt, samClickPredictor(model, embedded, strategy), {
      maxClicks,
      stopAtIou: opts.stopAtIou ?? 0.9,
    });
    const result: InteractiveItemResult = {
      id: item.id,
      ious: session.ious,
      clicks: session.clicks.map((c) => [c.x, c.y, c.label] as const),
      encodeMs,
      clicksMs: session.predictMs.reduce((a, b) => a + b, 0),
    };
    results.push(result);
    opts.onItem?.(result, i, items.length);
  }
  return { strategy, modelId: model.id, items: results, summary: summarizeInteractive(results, maxClicks) };
}
