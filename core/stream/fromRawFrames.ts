import { concatMap, defer, from, type Observable, type ObservableInput } from 'rxjs';
import { decodeImage } from '../image/decodeImage';
import type { Frame, RawFrame } from '../types';
import { reportSkipped, type ErrorPolicyOptions } from './SkippedItem';

export interface FromRawFramesOptions extends ErrorPolicyOptions {
  /** Prefix of generated frame ids for raw frames without an id (`${idPrefix}${n}`). Default 'raw-'. */
  readonly idPrefix?: string;
}

/**
 * Turns raw pixel buffers (gray, RGB or RGBA; from a camera SDK, a canvas, a test) into RGB Frames.
 *
 * ```
 * raw:    --r1--r2(bad size)--r3--|
 * output: --F1----------------F3--|   (onError 'skip' reports r2; 'throw' errors there)
 * ```
 *
 * ## Example
 * ```ts
 * import { fromRawFrames } from 'samflow';
 * fromRawFrames([{ data: rgba, width: 640, height: 480, channels: 4, id: 'cam-0' }]).subscribe(console.log);
 * ```
 *
 * @param input An array, iterable, async iterable, Promise or Observable of RawFrame.
 * @param options `idPrefix`, `onError` (default 'throw': a malformed buffer is a programming error)
 *   and `errors`.
 * @returns Frames in input order; a frame keeps its id/timestamp or gets `${idPrefix}${n}` / Date.now().
 *
 * Backpressure, errors and teardown: conversion is synchronous per frame and nothing is buffered
 * beyond what the input itself holds; unsubscribing stops reading the input.
 */
export function fromRawFrames(input: ObservableInput<RawFrame>, options: FromRawFramesOptions = {}): Observable<Frame> {
  const prefix = options.idPrefix ?? 'raw-';
  return defer(() => {
    let n = 0;
    return from(input).pipe(
      concatMap(async (raw): Promise<Frame[]> => {
        const id = raw.id ?? `${prefix}${n}`;
        n++;
        try {
          const frame = await decodeImage(raw, { id });
          return [{ ...frame, timestamp: raw.timestamp ?? frame.timestamp ?? Date.now() }];
        } catch (err) {
          if ((options.onError ?? 'throw') === 'throw') throw err;
          reportSkipped(options.errors, 'fromRawFrames', id, err);
          return [];
        }
      }),
      concatMap((frames) => frames),
    );
  });
}
