import type { BoxXyxy, CompressedRle, PointPrompt } from '../types';

/** A mask the page can show and accept: the result of a click, or a proposal. */
export interface MaskResponse {
  /** Handle of the low-res logits kept on the server: send it back as `prev` or to accept. */
  readonly handle: string;
  /** Server-side time of the decoder run plus mask post-processing, in ms (clicks only). */
  readonly serverMs?: number;
  /** The decoder run alone (prompt encoding + ONNX), in ms (clicks only). */
  readonly decoderMs?: number;
  readonly score: number;
  readonly rle: CompressedRle;
  readonly area: number;
  readonly bbox: readonly number[];
  readonly label?: string;
  readonly points?: readonly PointPrompt[];
  readonly box?: BoxXyxy;
  /** The decoder's mask token (SAM's multimask: 1–3 for a lone click; 0 otherwise). */
  readonly maskIndex?: number;
  /**
   * Clicks only: SAM's other candidates for the same prompt (a lone click has 3: whole, part,
   * subpart), best first after this one, each with its own handle to accept or refine.
   */
  readonly alternatives?: readonly MaskResponse[];
}
