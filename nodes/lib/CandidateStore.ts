import type { MaskCandidate } from '../../core';

/** What `msg.candidates` holds: a handle per decoded mask, its low-res logits stay in sam-model. */
export interface CandidateHandle {
  readonly id: string;
  readonly frameId: string;
  readonly predictedIou: number;
  readonly maskIndex: number;
}

/**
 * The sam-model config node's store of recent decoder candidates (float32[256*256] low-res logits,
 * 256 KB each), least recently used dropped beyond `capacity`, so a later prompt can feed one back as
 * SAM's mask_input by id (`maskRef`) without 256 KB riding on every message.
 */
export class CandidateStore {
  private readonly map = new Map<string, MaskCandidate>();
  private counter = 0;

  constructor(readonly capacity = 64) {}

  add(c: MaskCandidate): CandidateHandle {
    const id = `${c.frameId}#${++this.counter}`;
    // copy: the decoder's logits may be a view into a larger output buffer
    this.map.set(id, { ...c, lowResLogits: Float32Array.from(c.lowResLogits) });
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.map.delete(oldest.value);
    }
    return { id, frameId: c.frameId, predictedIou: c.predictedIou, maskIndex: c.maskIndex };
  }

  get(id: string): MaskCandidate | undefined {
    const c = this.map.get(id);
    if (c) {
      this.map.delete(id);
      this.map.set(id, c);
    }
    return c;
  }

  clear(): void {
    this.map.clear();
  }
}
