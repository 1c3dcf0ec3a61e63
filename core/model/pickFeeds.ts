import * as ort from 'onnxruntime-node';

/**
 * The feeds a session reads, by its input names, each cast to the input's element type where a
 * layout wants integers (SAM 2 exports with `orig_im_size` int32[2]). `what` names the session in errors.
 */
export function pickFeeds(session: ort.InferenceSession, feeds: Readonly<Record<string, ort.Tensor>>, what: string): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) {
    const t = feeds[name];
    if (!t) throw new RangeError(`${what} input "${name}" was not given`);
    const meta = session.inputMetadata.find((m) => m.name === name);
    const type = meta?.isTensor ? meta.type : t.type;
    if (type === t.type || !(t.data instanceof Float32Array)) out[name] = t;
    else if (type === 'int32') out[name] = new ort.Tensor('int32', Int32Array.from(t.data, Math.round), t.dims);
    else if (type === 'int64')
      out[name] = new ort.Tensor(
        'int64',
        BigInt64Array.from(t.data, (v) => BigInt(Math.round(v))),
        t.dims,
      );
    else out[name] = t;
  }
  return out;
}
