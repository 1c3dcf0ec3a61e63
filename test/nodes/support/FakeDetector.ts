import type { CocoDetector, Detection, DetectOptions } from '../../../core';
import type { Frame } from '../../../core/types';

/** A CocoDetector test double returning fixed detections (filtered by minScore/classes like the real one). */
export class FakeDetector implements CocoDetector {
  readonly backend = 'cpu' as const;
  released = false;
  releaseCalls = 0;
  calls = 0;

  constructor(private readonly detections: Detection[]) {}

  async detect(_frame: Frame, opts: DetectOptions = {}): Promise<Detection[]> {
    this.calls++;
    return this.detections.filter((d) => d.score >= (opts.minScore ?? 0) && (!opts.classes || opts.classes.includes(d.class)));
  }

  async release(): Promise<void> {
    this.releaseCalls++;
    this.released = true;
  }
}
