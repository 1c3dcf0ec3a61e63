import type * as ort from 'onnxruntime-node';

/** A session input/output as `float32[1,256,64,64]` (symbolic dims as `name?`), for errors. */
export function describeTensor(meta: ort.InferenceSession.ValueMetadata | undefined): string {
  if (!meta) return 'nothing';
  if (!meta.isTensor) return 'a non-tensor value';
  return `${meta.type}[${meta.shape.map((d) => (typeof d === 'number' ? String(d) : `${d}?`)).join(',')}]`;
}
