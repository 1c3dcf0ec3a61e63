import { Observable, type OperatorFunction } from 'rxjs';
import { decodeMasks as decodeMasksFn, type DecodeMasksOptions } from '../model/decodeMasks';
import type { SamModel } from '../model/SamModel';
import { reportSkipped } from '../stream/SkippedItem';
import { withBackpressure, type BackpressureOptions } from '../stream/withBackpressure';
import type { MaskCandidate } from '../types';
import type { PromptBatch } from './PromptBatch';

export interface DecodeMasksOperatorOptions extends DecodeMasksOptions, Omit<BackpressureOptions<PromptBatch>, 'idOf' | 'stage'> {
  /** Keep only the best candidate (highest predicted IoU) of each prompt. Default false. */
  readonly bestOnly?: boolean;
}

/**
 * Runs SAM's mask decoder for every prompt of each batch and emits the batch's mask candidates
 * (low-res logits + predicted IoU) as one array: per prompt, best first, prompts in order.
 *
 * Like a sketch artist who, for each description, draws a few outlines and rates them.
 *
 * ```
 * batches:  --a(2 prompts)--------b(1 prompt)---|
 * output:   ------[a1,a2]------------[b1]-------|
 * ```
 *
 * ## Example
 * ```ts
 * import { operators } from 'samflow';
 * import { map } from 'rxjs';
 * embedded$.pipe(
 *   map((embedded) => ({ embedded, prompts: [{ box: [40, 30, 300, 260] }] })),
 *   operators.decodeMasks(model, { bestOnly: true }),
 * ).subscribe(([best]) => console.log(best.predictedIou));
 * ```
 *
 * @param model The SamModel whose encoder made the embeddings (checked by model id).
 * @param options `multimask`, `bestOnly`, backpressure `policy` over batches (default 'all'),
 *   `stats`, `onError`, `errors`.
 * @returns An operator from PromptBatch to MaskCandidate[] (one array per batch).
 *
 * Backpressure, errors and teardown: one batch at a time, its prompts decoded one after another
 * (~55 ms each on 2 cores; batching gives nothing on CPU). Batches arriving meanwhile are kept per
 * `policy`. A failing prompt errors the stream, or with `onError: 'skip'` is reported (frame id and
 * reason) and the rest of the batch continues. Unsubscribing stops between two prompts: no
 * `runDecoder` call starts after it, and a result in flight is discarded.
 */
export function decodeMasks(model: SamModel, options: DecodeMasksOperatorOptions = {}): OperatorFunction<PromptBatch, MaskCandidate[]> {
  const { multimask, maxPointsPerPrompt, bestOnly = false, ...bp } = options;
  const onError = bp.onError ?? 'throw';
  const decodeBatch = (batch: PromptBatch): Observable<MaskCandidate[]> =>
    new Observable<MaskCandidate[]>((subscriber) => {
      let cancelled = false;
      (async () => {
        const out: MaskCandidate[] = [];
        for (const prompt of batch.prompts) {
          if (cancelled) return;
          try {
            const candidates = await decodeMasksFn(model, batch.embedded, prompt, { multimask, maxPointsPerPrompt });
            out.push(...(bestOnly ? candidates.slice(0, 1) : candidates));
          } catch (err) {
            if (onError === 'throw') throw err;
            reportSkipped(bp.errors, 'decodeMasks', batch.embedded.frame.id, err);
          }
        }
        if (cancelled) return;
        subscriber.next(out);
        subscriber.complete();
      })().catch((err: unknown) => {
        if (!cancelled) subscriber.error(err);
      });
      return () => {
        cancelled = true;
      };
    });
  return withBackpressure(decodeBatch, { ...bp, stage: 'decodeMasks', idOf: (b) => b.embedded.frame.id });
}
