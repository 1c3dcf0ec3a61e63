import { generateMaskCandidates } from '../amg/generateMasksProgressive';
import type { AmgOptions } from '../amg/AmgOptions';
import type { CocoDetector, DetectOptions } from '../detect/Detection';
import { loadCocoDetector, type LoadCocoDetectorOptions } from '../detect/loadCocoDetector';
import { segmentInstances } from '../detect/segmentInstances';
import type { Proposal, ProposalProvider, ProposalProviders } from './Proposal';

/** Display names of the built-in proposal sources. */
export const AUTOMATIC_MASKS = 'automatic masks';
export const DETECTOR_INSTANCES = 'detector instances (COCO)';

/**
 * Stage 2 proposals from SAM's automatic mask generator on the image's embedding (no extra encoder
 * run). Defaults: a 16×16 grid (256 decoder runs at most, ~15 s on 2 cores) with `skipCovered`.
 * The page's request cancels it when the person asks for something else.
 */
export function automaticMaskProposals(opts: Omit<AmgOptions, 'cropNLayers'> = {}): ProposalProvider {
  const amg = { pointsPerSide: 16, skipCovered: true, ...opts };
  return async (embedded, model, signal) => {
    const candidates = await generateMaskCandidates(model, embedded, { ...amg, signal });
    return candidates.map((candidate): Proposal => ({ candidate, score: candidate.predictedIou }));
  };
}

/**
 * Stage 2 proposals from the COCO detector (centernet on tfjs): each detection's box is decoded by
 * SAM into a mask; the proposal carries the class as its label and the detector score. The
 * detector loads on first use and stays loaded.
 */
export function detectorProposals(opts: { readonly load?: LoadCocoDetectorOptions; readonly detect?: DetectOptions } = {}): ProposalProvider {
  let detector: Promise<CocoDetector> | undefined;
  return async (embedded, model, signal) => {
    detector ??= loadCocoDetector(opts.load ?? {});
    detector.catch(() => {
      detector = undefined;
    });
    const d = await detector;
    signal.throwIfAborted();
    const detections = await d.detect(embedded.frame, opts.detect ?? {});
    signal.throwIfAborted();
    const instances = await segmentInstances(model, embedded, detections);
    return instances.map((i): Proposal => ({
      candidate: i.candidate,
      ...(i.record.class !== undefined ? { label: i.record.class } : {}),
      ...(i.record.score !== undefined ? { score: i.record.score } : {}),
    }));
  };
}

/** The proposal sources the page offers unless told otherwise: automatic masks and detector instances. */
export function defaultProposalProviders(): ProposalProviders {
  return { [AUTOMATIC_MASKS]: automaticMaskProposals(), [DETECTOR_INSTANCES]: detectorProposals() };
}
