import type { EmbeddedFrame, MaskCandidate } from '../types';
import type { SamModel } from '../model/SamModel';

/** A mask the model proposes before anyone clicks (stage 2: semi-automatic annotation). */
export interface Proposal {
  /** Kept as low-res logits so a person can correct it with clicks (fed back as mask_input). */
  readonly candidate: MaskCandidate;
  /** Suggested label (detector class), when the source knows one. */
  readonly label?: string;
  /** Confidence shown in the page (detector score or predicted IoU). */
  readonly score?: number;
}

/**
 * Makes proposals for one image. `signal` aborts when the page asks for something else or the
 * server closes; a provider should stop decoding then.
 */
export type ProposalProvider = (embedded: EmbeddedFrame, model: SamModel, signal: AbortSignal) => Promise<readonly Proposal[]>;

/** Proposal sources offered in the page, keyed by the name shown there (e.g. "automatic masks"). */
export type ProposalProviders = Readonly<Record<string, ProposalProvider>>;
