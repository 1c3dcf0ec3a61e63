import type { OperatorFunction } from 'rxjs';
import { decodeImage as decodeImageFn, type DecodeImageOptions } from '../image/decodeImage';
import { withBackpressure, type BackpressureOptions } from '../stream/withBackpressure';
import type { Frame, ImageInput } from '../types';

export interface DecodeImageOperatorOptions extends Omit<DecodeImageOptions, 'id'>, Omit<BackpressureOptions<ImageInput>, 'idOf' | 'stage'> {}

function inputId(input: ImageInput): string | undefined {
  if (typeof input === 'string') return input;
  if (input instanceof Uint8Array) return undefined;
  return input.id;
}

/**
 * Decodes each incoming image (bytes, file path or raw pixels) into an RGB `Frame`.
 *
 * Like a film lab developing rolls one at a time: whatever format comes in, a print comes out.
 *
 * ```
 * input:  --p1----p2--bad--p3--|
 * decode: --F1----F2-------F3--|      (onError: 'skip' reports 'bad' and goes on)
 * ```
 *
 * ## Example
 * ```ts
 * import { operators, fromImageFiles } from 'samflow';
 * fromImageFiles('photos', { extensions: ['.jpg'] }).pipe(operators.decodeImage({ onError: 'skip' }));
 * ```
 *
 * @param options `maxPixels`, `sourceName` (for messages), backpressure `policy` (default 'all'),
 *   `stats`, `onError` ('throw' default | 'skip') and `errors` (where skipped inputs are reported).
 * @returns An operator from ImageInput to Frame; frame ids are the file path, or the raw frame's id,
 *   or a SHA-1 of the bytes.
 *
 * Backpressure, errors and teardown: one decode at a time; inputs arriving meanwhile wait according to
 * `policy`. An undecodable input errors the stream with SamflowError BAD_IMAGE naming it, or with
 * `onError: 'skip'` is reported to `errors` and skipped. Unsubscribing discards the decode in flight
 * and starts no more.
 */
export function decodeImage(options: DecodeImageOperatorOptions = {}): OperatorFunction<ImageInput, Frame> {
  const { maxPixels, sourceName, ...bp } = options;
  return withBackpressure((input: ImageInput) => decodeImageFn(input, { maxPixels, sourceName }), {
    ...bp,
    stage: 'decodeImage',
    idOf: inputId,
  });
}
