import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { firstValueFrom, lastValueFrom, take, tap, toArray } from 'rxjs';
import { fromFfmpeg } from '../../core/stream/fromFfmpeg';
import type { SamflowError } from '../../core/errors';

function hasFfmpeg(): boolean {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    execFileSync('ffprobe', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const ok = hasFfmpeg();
let dir: string;
let video: string;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!ok)('fromFfmpeg (needs Debian ffmpeg)', () => {
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samflow-ffmpeg-'));
    video = path.join(dir, 'test.mkv');
    // 12 frames of ffmpeg's test pattern, 64x48 at 10 fps, lossless (ffv1) so pixels are exact
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-frames:v', '12', '-c:v', 'ffv1', video]);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('emits every frame at the probed size with ids, indices and presentation times, then completes', async () => {
    const frames = await lastValueFrom(fromFfmpeg(video).pipe(toArray()));
    expect(frames).toHaveLength(12);
    expect(frames.every((f) => f.width === 64 && f.height === 48 && f.rgb.length === 64 * 48 * 3)).toBe(true);
    expect(frames.map((f) => f.index)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(frames[3].ptsMs).toBe(300);
    expect(frames[3].id).toBe(`${video}#3`);
    // testsrc moves between frames: consecutive frames differ, but a frame is not all one colour
    expect(Buffer.compare(Buffer.from(frames[0].rgb), Buffer.from(frames[1].rgb))).not.toBe(0);
    expect(new Set(frames[0].rgb).size).toBeGreaterThan(10);
  });

  it('scales to width only, keeping the aspect ratio, and resamples fps', async () => {
    const frames = await lastValueFrom(fromFfmpeg(video, { width: 32, fps: 5 }).pipe(toArray()));
    expect([frames[0].width, frames[0].height]).toEqual([32, 24]);
    expect(frames.length).toBeGreaterThanOrEqual(5);
    expect(frames.length).toBeLessThanOrEqual(7);
  });

  it('unsubscribing kills the ffmpeg child (the pid is gone)', async () => {
    const pids: number[] = [];
    const first = await firstValueFrom(
      fromFfmpeg(video, { realtime: true, loop: true, width: 64, height: 48, onSpawn: ({ pid }) => pid && pids.push(pid) }).pipe(take(2), toArray()),
    );
    expect(first).toHaveLength(2);
    expect(pids).toHaveLength(1);
    const t0 = Date.now();
    while (alive(pids[0]) && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
    expect(alive(pids[0])).toBe(false);
  });

  it('errors with ffmpeg stderr when the input cannot be read; reconnects when configured', async () => {
    const missing = path.join(dir, 'missing.mkv');
    const err = (await lastValueFrom(fromFfmpeg(missing, { width: 8, height: 8 })).catch((e: unknown) => e)) as SamflowError;
    expect(err.code).toBe('SOURCE_FAILED');
    expect(err.message).toMatch(/exited with code \d+ reading .*missing\.mkv.*No such file/);
    const attempts: number[] = [];
    const spawns: number[] = [];
    await expect(
      lastValueFrom(
        fromFfmpeg(missing, { width: 8, height: 8, reconnect: { retries: 2, delayMs: 5 }, onReconnect: (r) => attempts.push(r.attempt), onSpawn: (s) => spawns.push(s.attempt) }),
      ),
    ).rejects.toMatchObject({ code: 'SOURCE_FAILED' });
    expect(attempts).toEqual([1, 2]);
    expect(spawns).toEqual([0, 1, 2]);
  });

  it("thread 'worker' delivers exactly the same frames; unsubscribing kills its ffmpeg", async () => {
    const main = await lastValueFrom(fromFfmpeg(video, { width: 64, height: 48 }).pipe(toArray()));
    const worker = await lastValueFrom(fromFfmpeg(video, { width: 64, height: 48, thread: 'worker' }).pipe(toArray()));
    expect(worker).toHaveLength(main.length);
    worker.forEach((f, i) => expect(Buffer.compare(Buffer.from(f.rgb), Buffer.from(main[i].rgb))).toBe(0));
    const pids: number[] = [];
    await firstValueFrom(
      fromFfmpeg(video, { thread: 'worker', realtime: true, loop: true, width: 64, height: 48, onSpawn: ({ pid }) => pid && pids.push(pid) }).pipe(take(2), toArray()),
    );
    const t0 = Date.now();
    while (alive(pids[0]) && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
    expect(alive(pids[0])).toBe(false);
  });

  it("with thread 'worker' and dropStale, frames that piled up during a blocked main thread collapse to the newest", async () => {
    const got: number[] = [];
    const stale: number[] = [];
    await lastValueFrom(
      fromFfmpeg(video, { thread: 'worker', dropStale: true, width: 64, height: 48, onStaleDrop: (f) => stale.push(f.index) }).pipe(
        tap((f) => {
          got.push(f.index);
          if (got.length === 1) {
            const until = Date.now() + 1500; // block the event loop as a synchronous encoder run does
            while (Date.now() < until);
          }
        }),
      ),
      { defaultValue: undefined },
    );
    // nothing is lost silently: every frame was either emitted or reported stale
    expect([...got, ...stale].sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(got).toEqual([...got].sort((x, y) => x - y));
    expect(got[got.length - 1]).toBe(11); // the newest always comes through
    expect(stale.length).toBeGreaterThan(0);
  });

  it('names a missing ffmpeg binary and how to install it', async () => {
    await expect(lastValueFrom(fromFfmpeg(video, { ffmpegPath: '/nonexistent/ffmpeg', width: 8, height: 8 }))).rejects.toThrow(/apt-get install ffmpeg/);
  });
});

describe('fromFfmpeg read timeout (a stand-in ffmpeg that stalls)', () => {
  let fake: string;
  let pidsFile: string;
  beforeAll(() => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'samflow-stall-'));
    fake = path.join(d, 'ffmpeg');
    pidsFile = path.join(d, 'pids');
    // one 2x2 rgb24 frame (12 bytes), then silence with stdout left open, like a camera that stalls
    fs.writeFileSync(fake, `#!/bin/sh\necho $$ >> ${pidsFile}\nhead -c 12 /dev/zero\nexec sleep 30\n`, { mode: 0o755 });
  });

  it('a source that stops sending frames errors after readTimeoutMs, and ffmpeg is killed', async () => {
    const frames: number[] = [];
    const err = (await lastValueFrom(
      fromFfmpeg('rtsp://camera/stalls', { ffmpegPath: fake, width: 2, height: 2, readTimeoutMs: 300 }).pipe(tap((f) => frames.push(f.index))),
    ).catch((e: unknown) => e)) as SamflowError;
    expect(frames).toEqual([0]);
    expect(err).toMatchObject({ code: 'SOURCE_FAILED', source: 'rtsp://camera/stalls' });
    expect(err.message).toMatch(/no frame from 'rtsp:\/\/camera\/stalls' for 300 ms/);
    const pid = Number(fs.readFileSync(pidsFile, 'utf8').trim().split('\n').pop());
    const t0 = Date.now();
    while (alive(pid) && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
    expect(alive(pid)).toBe(false);
  });

  it('with reconnect, a stalled source is restarted', async () => {
    const attempts: number[] = [];
    const frames = await lastValueFrom(
      fromFfmpeg('rtsp://camera/stalls', {
        ffmpegPath: fake,
        width: 2,
        height: 2,
        readTimeoutMs: 200,
        reconnect: { retries: 2, delayMs: 10 },
        onSpawn: (s) => attempts.push(s.attempt),
      }).pipe(take(3), toArray()),
    );
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2]);
    expect(attempts).toEqual([0, 1, 2]);
  });

  it('refuses a bad readTimeoutMs', () => {
    expect(() => fromFfmpeg('x.mp4', { readTimeoutMs: Number.NaN })).toThrow(/readTimeoutMs/);
  });
});
