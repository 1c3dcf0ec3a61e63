import type { SamModel } from '../model/SamModel';
import type { AmgRecord } from '../records';
import type { Frame } from '../types';
import { generateMasksProgressive, type GenerateMasksOptions } from './generateMasksProgressive';

/** Progress of generateMasks, after each batch of grid points. */
export interface AmgProgress {
  readonly done: number;
  readonly total: number;
  readonly decoded: number;
  /** Set on the final report. */
  readonly records?: AmgRecord[];
}

/**
 * "Segment everything": SAM's automatic mask generator (grid of point prompts, predicted-IoU and
 * stability filters, box NMS, optional crops and small-region cleanup) → SA-1B records, best first.
 * Defaults are SAM's; `skipCovered: true` trades a little recall for far fewer decoder runs.
 * As SAM (`multimask_output=True`), every grid point contributes its 3 ambiguity masks (whole,
 * part, subpart) to the filters; each record's `meta` is `{ gridIndex, maskIndex }`: the grid point
 * (index into the crop's point grid) and the decoder's mask token (1–3; 0 for a single-mask decoder).
 *
 * ## Example
 * ```ts
 * import { loadSamModel, decodeImage, generateMasks } from 'samflow';
 * const model = await loadSamModel();
 * const records = await generateMasks(model, await decodeImage('photo.jpg'), { skipCovered: true });
 * ```
 */
export async function generateMasks(model: SamModel, frame: Frame, opts: GenerateMasksOptions & { readonly onProgress?: (p: AmgProgress) => void } = {}): Promise<AmgRecord[]> {
  for await (const ev of generateMasksProgressive(model, frame, opts)) {
    if (ev.kind === 'done') {
      opts.onProgress?.({ done: ev.done, total: ev.total, decoded: ev.decoded, records: ev.records });
      return ev.records;
    }
    opts.onProgress?.({ done: ev.done, total: ev.total, decoded: ev.decoded });
  }
  throw new Error('generateMasks: the generator ended without a result');
}
