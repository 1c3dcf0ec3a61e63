import { Observable, type OperatorFunction } from 'rxjs';
import { encodePrompts as encodePromptsFn } from '../prompts/encodePrompts';
import { reportSkipped, type ErrorPolicyOptions } from '../stream/SkippedItem';
import type { DecoderFeeds, SamPrompt } from '../types';
import type { EncodedPromptBatch, PromptBatch } from './PromptBatch';
import { checkLimit, DEFAULT_LIMITS } from '../limits';
import type { PromptLimits } from '../prompts/encodePrompts';

export interface EncodePromptsOptions extends ErrorPolicyOptions, PromptLimits {
  /** Prompts in one batch; a bigger batch is refused (BAD_PROMPT) before any is encoded. Default 256. */
  readonly maxPromptsPerMessage?: number;
}

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
 * @param options `maxPointsPerPrompt` (64), `maxPromptsPerMessage` (256), `onError` ('throw' default | 'skip': a bad prompt is removed from its batch and
 *   reported to `errors`; a batch left empty is not emitted).
 * @returns An operator from PromptBatch to EncodedPromptBatch (the batch plus `feeds`).
 *
 * Backpressure, errors and teardown: synchronous and cheap (microseconds per prompt), so nothing
 * queues here; it keeps no state and holds nothing after unsubscribe. Bad prompts raise
 * SamflowError BAD_PROMPT naming the frame and what is wrong.
 */
export function encodePrompts(options: EncodePromptsOptions = {}): OperatorFunction<PromptBatch, EncodedPromptBatch> {
  const onError = options.onError ?? 'throw';
  const maxPrompts = options.maxPromptsPerMessage ?? DEFAULT_LIMITS.maxPromptsPerMessage;
  return (source) =>
    new Observable<EncodedPromptBatch>((subscriber) =>
      source.subscribe({
        next: (batch) => {
          const prompts: SamPrompt[] = [];
          const feeds: DecoderFeeds[] = [];
          try {
            checkLimit(`encodePrompts: frame ${batch.embedded.frame.id}: number of prompts in the batch`, batch.prompts.length, maxPrompts, 'maxPromptsPerMessage');
          } catch (err) {
            if (onError === 'throw') subscriber.error(err);
            else reportSkipped(options.errors, 'encodePrompts', batch.embedded.frame.id, err);
            return;
          }
          for (const prompt of batch.prompts) {
            try {
              feeds.push(encodePromptsFn(prompt, batch.embedded.transform, options));
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
