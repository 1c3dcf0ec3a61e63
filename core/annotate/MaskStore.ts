import { candidateToMask } from '../masks';
import { maskRecordFields } from '../records/maskRecordFields';
import type { MaskCandidate } from '../types';
import { AnnotateHttpError } from './AnnotateHttpError';
import type { AnnotationSource } from './AnnotationState';
import { LruMap } from '../LruMap';
import type { MaskResponse } from './MaskResponse';

/** A mask kept on the server between a click (or proposal) and its acceptance or refinement. */
export interface StoredMask {
  readonly file: string;
  readonly candidate: MaskCandidate;
  readonly source: AnnotationSource;
  readonly label?: string;
}

/**
 * The low-res logits behind each mask the page shows, by handle: sent back as `prev` (SAM's
 * iterative refinement) or to accept. 256×256 float logits are 256 KB each: 128 clicks of up to 3
 * masks (96 MB) and 256 proposals (64 MB) at most, least recently used dropped first.
 */
export class MaskStore {
  private readonly clicks = new LruMap<string, StoredMask>(384);
  private readonly proposals = new LruMap<string, StoredMask>(256);
  private handleCounter = 0;

  /** Keep a click's mask (or, with `proposal`, a proposal's) and answer what the page draws. */
  put(entry: StoredMask, kind: 'click' | 'proposal' = 'click'): MaskResponse {
    const handle = `m${++this.handleCounter}`;
    (kind === 'click' ? this.clicks : this.proposals).set(handle, entry);
    const { segmentation, area, bbox } = maskRecordFields(candidateToMask(entry.candidate));
    const p = entry.candidate.prompt;
    return {
      handle,
      score: entry.candidate.predictedIou,
      rle: segmentation,
      area,
      bbox: [...bbox],
      maskIndex: entry.candidate.maskIndex,
      ...(entry.label !== undefined ? { label: entry.label } : {}),
      ...(p.points && p.points.length > 0 ? { points: p.points } : {}),
      ...(p.box ? { box: p.box } : {}),
    };
  }

  /** The mask behind `handle`, which must belong to `file`: 410 when it was dropped, 400 for another image. */
  get(handle: string, file: string): StoredMask {
    const m = this.clicks.get(handle) ?? this.proposals.get(handle);
    if (!m) throw new AnnotateHttpError(410, 'BAD_PROMPT', `handle "${handle}": this mask is no longer kept on the server; click again`);
    if (m.file !== file) throw new AnnotateHttpError(400, 'BAD_PROMPT', `handle "${handle}": belongs to another image`);
    return m;
  }

  delete(handle: string): void {
    this.clicks.delete(handle);
    this.proposals.delete(handle);
  }

  clear(): void {
    this.clicks.clear();
    this.proposals.clear();
  }
}
