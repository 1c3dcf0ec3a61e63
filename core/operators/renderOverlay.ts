import type { OperatorFunction } from 'rxjs';
import { renderOverlay as renderOverlayFn, type RenderOverlayOptions } from '../render/renderOverlay';
import { withBackpressure, type BackpressureOptions } from '../stream/withBackpressure';
import type { BinaryMask, Frame } from '../types';

/** A frame and the masks to draw on it (masks of the frame's size). */
export interface OverlayInput {
  readonly frame: Frame;
  readonly masks: readonly BinaryMask[];
}

/** The encoded overlay of one frame. */
export interface RenderedOverlay {
  readonly frameId: string;
  /** PNG (default) or JPEG bytes. */
  readonly image: Buffer;
}

export interface RenderOverlayOperatorOptions extends RenderOverlayOptions, Omit<BackpressureOptions<OverlayInput>, 'idOf' | 'stage'> {}

/**
 * Draws each frame's masks over it (translucent fills in stable colours, optional outlines,
 * click markers and boxes) and encodes a PNG or JPEG.
 *
 * Like tracing paper over a photo, coloured in and scanned.
 *
 * ```
 * input:  --{frame a, masks}--{frame b, masks}--|
 * output: --------PNG(a)--------------PNG(b)----|
 * ```
 *
 * ## Example
 * ```ts
 * import { operators } from 'samflow';
 * import { writeFileSync } from 'node:fs';
 * tracked$.pipe(
 *   map((t) => ({ frame: t.frame, masks: t.objects.flatMap((o) => (o.mask ? [o.mask] : [])) })),
 *   operators.renderOverlay({ format: 'jpeg', policy: 'latest' }),
 * ).subscribe(({ frameId, image }) => writeFileSync('live.jpg', image));
 * ```
 *
 * @param options Drawing options (see RenderOverlayOptions), `format`, backpressure `policy`
 *   (default 'all'; 'latest' for a live preview), `stats`, `onError`, `errors`.
 * @returns An operator from OverlayInput to RenderedOverlay.
 *
 * Backpressure, errors and teardown: one encode at a time (sharp, a few ms to tens of ms); waiting
 * inputs follow `policy`. Unsubscribing drops an encode in flight.
 */
export function renderOverlay(options: RenderOverlayOperatorOptions = {}): OperatorFunction<OverlayInput, RenderedOverlay> {
  const { policy, stats, onError, errors, now, ...draw } = options;
  return withBackpressure(async (input: OverlayInput): Promise<RenderedOverlay> => ({ frameId: input.frame.id, image: await renderOverlayFn(input.frame, input.masks, draw) }), {
    policy,
    stats,
    onError,
    errors,
    now,
    stage: 'renderOverlay',
    idOf: (i) => i.frame.id,
  });
}
