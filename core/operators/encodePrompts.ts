import { Observable, type OperatorFunction } from 'rxjs';
import { encodePrompts as encodePromptsFn } from '../prompts/encodePrompts';
import { reportSkipped, type ErrorPolicyOptions } from '../stream/SkippedItem';
import type { DecoderFeeds, SamPrompt } from '../types';
import type { EncodedPromptBatch, PromptBatch } from './PromptBatch';

/**
 * SAM's prompt encoder at the tensor level: turns each batch's prompts (clicks, box, mask) into
 * decoder feeds in the model's 1024 frame, validating every prompt.
 *
 * Like a translator who rewrites the customer's directions into the factory's coordinates,
 * refusing directions that point outside the map.
 *
 * ```
 * batches: --a----b(bad prompt)----c--|
 * output:  --A---------------------C--|   (onError: 'skip': b's bad prompt reported, dropped)
 * output:  --A----#                      (onError: 'throw', the default)
 * ```
 *
 * ## Example
 * ```ts
 * import { operators } from 'samflow';
 * import { map } from 'rxjs';
 * embedded$.pipe(
 *   map((embedded) => ({ embedded, prompts: [{ points: [{ x: 320, y: 200, label: 1 }] }] })),
 *   operators.encodePrompts(),
 * );
 * ```
 *
 * @param options `onError` ('throw' default | 'skip': a bad prompt is removed from its batch and
 *   reported to `errors`; a batch left empty is not emitted).
 * @returns An operator from PromptBatch to EncodedPromptBatch (the batch plus `feeds`).
 *
 * Backpressure, errors and teardown: synchronous and cheap (microseconds per prompt), so nothing
 * queues here; it keeps no state and holds nothing after unsubscribe. Bad prompts raise
 * SamflowError BAD_PROMPT naming the frame and what is wrong.
 */
export function encodePrompts(options: ErrorPolicyOptions = {}): OperatorFunction<PromptBatch, EncodedPromptBatch> {
  const onError = options.onError ?? 'throw';
  return (source) =>
    new Observable<EncodedPromptBatch>((subscriber) =>
      source.subscribe({
        next: (batch) => {
          const prompts: SamPrompt[] = [];
          const feeds: DecoderFeeds[] = [];
          for (const prompt of batch.prompts) {
            try {
              feeds.push(encodePromptsFn(prompt, batch.embedded.transform));
              prompts.push(prompt);
            } catch (err) {
              if (onError === 'throw') {
                subscriber.error(err);
                return;
              }
              reportSkipped(options.errors, 'encodePrompts', batch.embedded.frame.id, err);
            }
          }
          if (prompts.length > 0 || batch.prompts.length === 0) subscriber.next({ embedded: batch.embedded, prompts, feeds });
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
