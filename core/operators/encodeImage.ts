import type { OperatorFunction } from 'rxjs';
import { encodeImage as encodeImageFn } from '../model/encodeImage';
import type { SamModel } from '../model/SamModel';
import type { EmbeddingCache } from '../model/EmbeddingCache';
import { withBackpressure, type BackpressureOptions } from '../stream/withBackpressure';
import type { EmbeddedFrame, Frame } from '../types';

export interface EncodeImageOperatorOptions extends Omit<BackpressureOptions<Frame>, 'idOf' | 'stage'> {
  /** Share embeddings with other branches: a frame already encoded (same model, same frame id) is not encoded again. */
  readonly cache?: EmbeddingCache;
}

/**
 * Runs SAM's image encoder on each frame: Frame in, EmbeddedFrame (frame + embedding + transform) out.
 *
 * Like a slow, careful photographer behind a fast conveyor belt: the policy says which of the
 * frames that passed by while they were busy get photographed next.
 *
 * ```
 * frames:            a-b-c-d-e-f-g-h-|      (25 fps camera, encoder takes ~4 frame times)
 * policy 'latest':   --------A-------D-------H|     (b,c dropped; e,f,g dropped)
 * policy {queue: 1}: --------A-------D-------H|     (same here: the oldest waiting is dropped)
 * policy 'all':      --------A-------B-------C-- ... (nothing dropped; the queue grows)
 * ```
 *
 * ## Example
 * ```ts
 * import { operators, fromFfmpeg, loadSamModel } from 'samflow';
 * import { Subject } from 'rxjs';
 * const model = await loadSamModel();
 * const stats = new Subject<import('samflow').StageStats>();
 * stats.subscribe((s) => s.event === 'drop' && console.log('dropped', s.itemId, 'total', s.dropped));
 * fromFfmpeg('rtsp://camera/stream', { fps: 5 })
 *   .pipe(operators.encodeImage(model, { policy: 'latest', stats, onError: 'skip' }))
 *   .subscribe((embedded) => console.log(embedded.frame.id));
 * ```
 *
 * @param model A loaded SamModel (or a fake with the same interface). The operator never releases it.
 * @param options `policy` ('all' default; 'latest' for live sources; `{ queue: n }`), `stats` (a
 *   callback or Subject receiving in/start/out/drop/error events with queue depth, drops and
 *   per-frame latency), `cache` (an EmbeddingCache), `onError` and `errors`.
 * @returns An operator from Frame to EmbeddedFrame, in arrival order.
 *
 * Backpressure, errors and teardown: exactly one encode runs at a time (the encoder already uses
 * every core). Frames arriving meanwhile are kept per `policy` and each drop is a 'drop' stats event.
 * A failed encode (e.g. a released model) errors the stream, or with `onError: 'skip'` is reported
 * to `errors` with the frame id and the stream goes on. Unsubscribing discards the encode in flight
 * (its result is dropped when it lands), clears waiting frames and calls `runEncoder` no more; the
 * model stays usable for other subscribers.
 */
export function encodeImage(model: SamModel, options: EncodeImageOperatorOptions = {}): OperatorFunction<Frame, EmbeddedFrame> {
  const { cache, ...bp } = options;
  return withBackpressure((frame: Frame) => (cache ? cache.getOrEncode(model, frame) : encodeImageFn(model, frame)), {
    // the encoder run blocks the main thread: let frames that arrived meanwhile in before choosing the next
    yieldBeforeNext: bp.policy === 'latest',
    ...bp,
    stage: 'encodeImage',
    idOf: (frame) => frame.id,
  });
}
