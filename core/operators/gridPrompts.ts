import { Observable, type OperatorFunction } from 'rxjs';
import { AMG_DEFAULTS } from '../amg/AmgOptions';
import { buildPointGrid } from '../amg/buildPointGrid';
import { SamflowError } from '../errors';
import type { EmbeddedFrame, SamPrompt } from '../types';
import type { PromptBatch } from './PromptBatch';

export interface GridPromptsOptions {
  /** Points per side of SAM's regular grid (default 32 → 1024 prompts per frame). */
  readonly pointsPerSide?: number;
}

/**
 * SAM's automatic-mask prompt grid: for each embedded frame, one single-click prompt per point of
 * an n×n grid over the whole image (SAM's `build_point_grid`, cell centres), as one PromptBatch.
 *
 * Like laying a fishing net over the picture and asking "what is under each knot?".
 *
 * ```
 * embedded: --a--------b--|
 * output:   --A--------B--|    A = { embedded: a, prompts: [n·n clicks] }
 * ```
 *
 * ## Example
 * ```ts
 * import { operators } from 'samflow';
 * embedded$.pipe(operators.gridPrompts({ pointsPerSide: 16 }), operators.decodeMasks(model));
 * ```
 *
 * @param options `pointsPerSide` (default 32). Crop layers are not part of the operator pipeline;
 *   use the `generateMasks` function for `cropNLayers > 0`.
 * @returns An operator from EmbeddedFrame to PromptBatch; each prompt is multimask (SAM's AMG
 *   setting) and carries `meta.gridIndex`.
 *
 * Backpressure, errors and teardown: synchronous; nothing queues. A bad `pointsPerSide` throws
 * SamflowError BAD_OPTION when the operator is created.
 */
export function gridPrompts(options: GridPromptsOptions = {}): OperatorFunction<EmbeddedFrame, PromptBatch> {
  const n = options.pointsPerSide ?? AMG_DEFAULTS.pointsPerSide;
  if (!(Number.isInteger(n) && n >= 1)) {
    throw new SamflowError('BAD_OPTION', `gridPrompts: pointsPerSide must be a whole number ≥ 1, got ${String(n)}`);
  }
  const grid = buildPointGrid(n);
  return (source) =>
    new Observable<PromptBatch>((subscriber) =>
      source.subscribe({
        next: (embedded) => {
          const { width, height } = embedded.frame;
          const prompts: SamPrompt[] = grid.map(([gx, gy], i) => ({
            points: [{ x: gx * width, y: gy * height, label: 1 }],
            multimask: true,
            meta: { gridIndex: i },
          }));
          subscriber.next({ embedded, prompts });
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}
