import type * as ort from 'onnxruntime-node';

/** Whether a session's input/output is a tensor of `type` with `dims` (a symbolic or -1 dim matches any size). */
export function matchesTensor(meta: ort.InferenceSession.ValueMetadata | undefined, type: string, dims: readonly number[]): boolean {
  return meta?.isTensor === true && meta.type === type && meta.shape.length === dims.length && meta.shape.every((d, i) => typeof d === 'string' || d === dims[i] || d < 0);
}
