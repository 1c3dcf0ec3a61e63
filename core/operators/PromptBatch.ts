import type { EmbeddedFrame, SamPrompt } from '../types';

/**
 * The value that flows from prompt sources (clicks, a grid, detector boxes, a tracker) into
 * `decodeMasks`: one embedded frame and the prompts to decode on it. One batch per frame keeps
 * every mask of a frame together, which frame-level stages (non-maximum suppression) need.
 */
export interface PromptBatch {
  readonly embedded: EmbeddedFrame;
  readonly prompts: readonly SamPrompt[];
}
