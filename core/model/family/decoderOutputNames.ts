import type { ModelSpec } from '../SamModel';

/** The decoder outputs a run asks for: [iou, lowResMasks] (every family). */
export function decoderOutputNames(spec: ModelSpec): readonly string[] {
  return [spec.decoder.outputs.iou, spec.decoder.outputs.lowResMasks];
}
