import type { SamModel } from '../model/SamModel';
import type { EmbeddedFrame } from '../types';
import { AnnotateHttpError } from './AnnotateHttpError';
import type { AnnotationSource } from './AnnotationState';
import type { MaskResponse } from './MaskResponse';
import type { MaskStore } from './MaskStore';
import type { Proposal, ProposalProviders } from './Proposal';

/**
 * Stage 2: runs one proposal source at a time on an image. Asking again, opening another image or
 * closing aborts the run in flight (its decoder runs stop); its request then answers 409.
 */
export class ProposalRunner {
  private abortController: AbortController | undefined;
  private file: string | undefined;

  constructor(
    private readonly providers: ProposalProviders,
    private readonly model: SamModel,
  ) {}

  get kinds(): string[] {
    return Object.keys(this.providers);
  }

  /** Run `kind` on `file`; each proposal is kept in `masks` to be accepted or corrected with clicks. */
  async run(file: string, kind: string, embedding: (file: string) => Promise<EmbeddedFrame>, masks: MaskStore): Promise<MaskResponse[]> {
    const provider = Object.hasOwn(this.providers, kind) ? this.providers[kind] : undefined;
    if (!provider) {
      throw new AnnotateHttpError(400, 'BAD_OPTION', `kind "${kind}": no such proposal source (available: ${this.kinds.join(', ') || 'none'})`);
    }
    this.abortController?.abort();
    const abort = new AbortController();
    this.abortController = abort;
    this.file = file;
    const embedded = await embedding(file);
    let found: readonly Proposal[];
    try {
      found = await provider(embedded, this.model, abort.signal);
    } catch (e) {
      if (abort.signal.aborted) throw cancelled();
      throw e;
    }
    if (abort.signal.aborted) throw cancelled();
    const source: AnnotationSource = /detect/i.test(kind) ? 'detector' : /auto|amg|every/i.test(kind) ? 'auto' : 'proposal';
    return found
      .map((p) => masks.put({ file, candidate: p.candidate, source, ...(p.label !== undefined ? { label: p.label } : {}) }, 'proposal'))
      .map((r, i) => (found[i].score !== undefined ? { ...r, score: found[i].score } : r))
      .filter((r) => r.area > 0);
  }

  /** Another image was opened: proposals still running for a different one are of no use any more. */
  opened(file: string): void {
    if (this.file !== undefined && this.file !== file) this.abortController?.abort();
  }

  abort(): void {
    this.abortController?.abort();
  }
}

function cancelled(): AnnotateHttpError {
  return new AnnotateHttpError(409, 'BAD_OPTION', 'proposals: cancelled (another image was opened or proposals were asked again)');
}
