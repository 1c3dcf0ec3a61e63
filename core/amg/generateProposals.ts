import type { SamModel } from '../model/SamModel';
import type { AmgRecord } from '../records';
import type { BoxXyxy, CompressedRle, Frame } from '../types';
import { generateMasks, type AmgProgress } from './generateMasks';
import type { GenerateMasksOptions } from './generateMasksProgressive';
import { boxXywhToXyxy } from '../masks/boxXyxyToXywh';

/** One ranked object proposal: a box and its mask record. */
export interface ObjectProposal {
  /** XYXY, original pixels. */
  readonly box: BoxXyxy;
  /** predicted_iou × stability_score: the ranking key. */
  readonly score: number;
  readonly record: AmgRecord<CompressedRle>;
}

/**
 * Proposal-oriented AMG setting (recall over precision, ranking does the rest): SAM's grid of 32×32
 * but predIouThresh 0.5 and stabilityScoreThresh 0.8 instead of 0.88 / 0.95, so uncertain objects
 * are kept; box NMS 0.7 as SAM. Chosen so proposals are a superset of `generateMasks`' defaults.
 */
export const PROPOSAL_DEFAULTS = {
  pointsPerSide: 32,
  predIouThresh: 0.5,
  stabilityScoreThresh: 0.8,
  boxNmsThresh: 0.7,
  maxProposals: 1000,
} as const;

export interface ProposalOptions extends Omit<GenerateMasksOptions, 'outputMode'> {
  /** Keep at most this many, best first (default 1000, as the LVIS AR@1000 protocol). */
  readonly maxProposals?: number;
  readonly onProgress?: (p: AmgProgress) => void;
}

/**
 * SAM's zero-shot object proposals (paper §7.3): ranked boxes + masks from the AMG pipeline with
 * {@link PROPOSAL_DEFAULTS}, ordered by predicted IoU × stability.
 */
export async function generateProposals(model: SamModel, frame: Frame, opts: ProposalOptions = {}): Promise<ObjectProposal[]> {
  const { maxProposals = PROPOSAL_DEFAULTS.maxProposals, ...rest } = opts;
  const records = (await generateMasks(model, frame, {
    pointsPerSide: rest.pointGrids ? undefined : PROPOSAL_DEFAULTS.pointsPerSide,
    predIouThresh: PROPOSAL_DEFAULTS.predIouThresh,
    stabilityScoreThresh: PROPOSAL_DEFAULTS.stabilityScoreThresh,
    boxNmsThresh: PROPOSAL_DEFAULTS.boxNmsThresh,
    ...rest,
    outputMode: 'coco_rle',
  })) as AmgRecord<CompressedRle>[];
  return records
    .map((record) => ({ box: boxXywhToXyxy(record.bbox), score: record.predicted_iou * record.stability_score, record }))
    .sort((a, b) => b.score - a.score)
    .slice(0, Math.max(0, maxProposals));
}
