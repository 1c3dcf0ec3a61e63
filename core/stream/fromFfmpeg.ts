import { execFile } from 'node:child_process';
import { Observable } from 'rxjs';
import { SamflowError } from '../errors';
import type { Frame } from '../types';
import { readFfmpegInProcess, readFfmpegInWorker, type FfmpegReader } from './ffmpegReader';

/** A decoded video frame: a Frame plus where it sits in the stream. */
export interface VideoFrame extends Frame {
  /** 0-based frame counter since the subscription (continues across reconnects). */
  readonly index: number;
  /** Presentation time in ms, from the frame counter and the output frame rate (when known). */
  readonly ptsMs?: number;
}

export interface FromFfmpegOptions {
  /** The ffmpeg binary. Default 'ffmpeg' (Debian: apt-get install ffmpeg). ffprobe is looked up beside it. */
  readonly ffmpegPath?: string;
  readonly ffprobePath?: string;
  /** Output frame rate (ffmpeg `fps` filter). Default: the source's rate. */
  readonly fps?: number;
  /** Output size. Both given: scaled to exactly that. One given: the other follows the aspect ratio. Neither: the source size (ffprobe). */
  readonly width?: number;
  readonly height?: number;
  /** Read the input at its native rate (`-re`), as a live camera would deliver it; for files. */
  readonly realtime?: boolean;
  /** Loop a file input forever (`-stream_loop -1`). */
  readonly loop?: boolean;
  /** Respawn ffmpeg when it fails (non-zero exit, cannot start): up to `retries` times, `delayMs` apart. */
  readonly reconnect?: { readonly retries: number; readonly delayMs: number };
  /** Extra ffmpeg arguments placed before `-i` (e.g. ['-rtsp_transport', 'tcp']). */
  readonly inputArgs?: readonly string[];
  /** Frame id prefix; ids are `${idPrefix}#${index}`. Default: the url. */
  readonly idPrefix?: string;
  /** Told each time an ffmpeg process starts (pid) — for supervision and tests. */
  readonly onSpawn?: (info: { pid: number | undefined; attempt: number; args: readonly string[] }) => void;
  /**
   * Where ffmpeg's output is read. 'main' (default) reads on the event loop; 'worker' reads on a
   * worker thread, so frames keep flowing while the main thread is blocked (onnxruntime-node's
   * encoder run blocks it for the whole encode). Use 'worker' with `dropStale` for live sources.
   */
  readonly thread?: 'main' | 'worker';
  /**
   * When several frames arrive in one turn of the event loop (a burst after the main thread was
   * blocked), emit only the newest; the others are reported to `onStaleDrop`. Default false.
   */
  readonly dropStale?: boolean;
  readonly onStaleDrop?: (frame: VideoFrame) => void;
  /** Told before each reconnect attempt, with the failure that caused it. */
  readonly onReconnect?: (info: { attempt: number; error: SamflowError }) => void;
  /**
   * Longest wait for the next frame (from the spawn on) before the source counts as stalled (a
   * camera that stops sending while the connection stays open): ffmpeg is killed, then restarted
   * (`reconnect`) or the stream errors with SOURCE_FAILED. Default 30000 ms, at least three frame
   * intervals at `fps`; 0 turns it off.
   */
  readonly readTimeoutMs?: number;
}

interface Probe {
  width: number;
  height: number;
  fps?: number;
}

/** Reads the first video stream's size and frame rate with ffprobe. */
export function probeVideo(url: string, ffprobePath = 'ffprobe', inputArgs: readonly string[] = []): Promise<Probe> {
  return new Promise((resolve, reject) => {
    execFile(
      ffprobePath,
      ['-v', 'error', ...inputArgs, '-select_streams', 'v:0', '-show_entries', 'stream=width,height,r_frame_rate', '-of', 'json', url],
      { timeout: 30_000, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          const enoent = (err as NodeJS.ErrnoException).code === 'ENOENT';
          reject(
            enoent
              ? new SamflowError(
                  'NOT_AVAILABLE',
                  `fromFfmpeg: ffprobe not found at '${ffprobePath}'; install ffmpeg (Debian: apt-get install ffmpeg) or pass ffprobePath, or give width and height`,
                  url,
                )
              : new SamflowError('SOURCE_FAILED', `fromFfmpeg: ffprobe cannot read '${url}': ${tail(String(stderr || err.message))}`, url),
          );
          return;
        }
        try {
          const s = (JSON.parse(stdout) as { streams?: { width?: number; height?: number; r_frame_rate?: string }[] }).streams?.[0];
          if (!s?.width || !s.height) throw new Error('no video stream');
          const [num, den] = (s.r_frame_rate ?? '0/1').split('/').map(Number);
          const fps = num && den ? num / den : undefined;
          resolve({ width: s.width, height: s.height, fps });
        } catch (e) {
          reject(new SamflowError('SOURCE_FAILED', `fromFfmpeg: '${url}' has no readable video stream (${String(e)})`, url));
        }
      },
    );
  });
}

function tail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

/**
 * Any video ffmpeg can read (file, RTSP, HTTP(S) MJPEG/HLS, a V4L2 camera with inputArgs) as a
 * stream of RGB frames, decoded by a Debian `ffmpeg` child process (`-f rawvideo -pix_fmt rgb24`).
 *
 * Like a projector feeding a film strip into the pipeline, one still at a time.
 *
 * ```
 * ffmpeg:  [spawn]--f0--f1--f2--f3--...--[exit 0]|
 * output:  --------F0--F1--F2--F3--...-----------|
 * failure: --------F0--F1--[exit 1]#               SamflowError SOURCE_FAILED with ffmpeg's stderr tail
 * reconnect {retries: 3}: F0--F1--[exit 1]..(delayMs)..[spawn]--F2--F3--...
 * ```
 *
 * ## Example
 * ```ts
 * import { fromFfmpeg, operators, loadSamModel } from 'samflow';
 * const model = await loadSamModel();
 * fromFfmpeg('rtsp://192.168.1.20/stream', { fps: 5, width: 640, inputArgs: ['-rtsp_transport', 'tcp'], reconnect: { retries: 10, delayMs: 2000 } })
 *   .pipe(operators.encodeImage(model, { policy: 'latest' }))
 *   .subscribe((e) => console.log(e.frame.id));
 * ```
 *
 * @param url Anything ffmpeg accepts after `-i`.
 * @param options See FromFfmpegOptions.
 * @returns A cold Observable of VideoFrames: each subscription spawns its own ffmpeg.
 *
 * Backpressure, errors and teardown: frames are emitted as fast as ffmpeg decodes them (at the
 * native rate with `realtime` or for live sources); pair it with `operators.encodeImage(model,
 * { policy: 'latest' })` so a slow encoder drops frames instead of buffering them. A source that
 * ends (exit code 0) completes. A failure (missing binary, unreadable input, non-zero exit, a
 * camera that goes away) errors with SamflowError SOURCE_FAILED / NOT_AVAILABLE carrying the tail of
 * ffmpeg's stderr, unless `reconnect` allows another attempt. Unsubscribing kills the child process
 * (SIGKILL, after closing its stdout) and cancels any pending reconnect.
 */
/** Default {@link FromFfmpegOptions.readTimeoutMs}. */
export const DEFAULT_FFMPEG_READ_TIMEOUT_MS = 30_000;

export function fromFfmpeg(url: string, options: FromFfmpegOptions = {}): Observable<VideoFrame> {
  const ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
  const ffprobePath = options.ffprobePath ?? (ffmpegPath.endsWith('ffmpeg') ? `${ffmpegPath.slice(0, -'ffmpeg'.length)}ffprobe` : 'ffprobe');
  const { fps, width, height } = options;
  for (const [k, v] of [
    ['fps', fps],
    ['width', width],
    ['height', height],
  ] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) {
      throw new SamflowError('BAD_OPTION', `fromFfmpeg: option ${k} must be a positive number, got ${String(v)}`);
    }
  }
  const retries = options.reconnect?.retries ?? 0;
  const delayMs = options.reconnect?.delayMs ?? 1000;
  const idPrefix = options.idPrefix ?? url;
  const readTimeout = options.readTimeoutMs ?? DEFAULT_FFMPEG_READ_TIMEOUT_MS;
  if (typeof readTimeout !== 'number' || !Number.isFinite(readTimeout) || readTimeout < 0) {
    throw new SamflowError('BAD_OPTION', `fromFfmpeg: readTimeoutMs must be a number of milliseconds >= 0 (0: off), got ${String(options.readTimeoutMs)}`, url);
  }
  const idleMs = readTimeout === 0 ? 0 : Math.max(readTimeout, fps ? 3000 / fps : 0);

  return new Observable<VideoFrame>((subscriber) => {
    let reader: FfmpegReader | undefined;
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    let index = 0;
    let attempt = 0;
    let stopIdle: () => void = () => undefined;

    const fail = (error: SamflowError): void => {
      if (closed) return;
      if (attempt < retries) {
        attempt++;
        options.onReconnect?.({ attempt, error });
        timer = setTimeout(() => void start(), delayMs);
      } else {
        closed = true;
        subscriber.error(error);
      }
    };

    const start = async (): Promise<void> => {
      timer = undefined;
      let w = width;
      let h = height;
      let rate = fps;
      if (w === undefined || h === undefined || rate === undefined) {
        let probe: Probe;
        try {
          probe = await probeVideo(url, ffprobePath, options.inputArgs);
        } catch (e) {
          if (w === undefined || h === undefined) {
            fail(e instanceof SamflowError ? e : new SamflowError('SOURCE_FAILED', String(e), url));
            return;
          }
          probe = { width: w, height: h };
        }
        if (closed) return;
        if (w === undefined && h === undefined) {
          w = probe.width;
          h = probe.height;
        } else if (w === undefined) w = even((h! * probe.width) / probe.height);
        else if (h === undefined) h = even((w * probe.height) / probe.width);
        rate = rate ?? probe.fps;
      }
      const W = w;
      const H = h!;
      const filters = [...(fps ? [`fps=${fps}`] : []), `scale=${W}:${H}`];
      const args = [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        ...(options.realtime ? ['-re'] : []),
        ...(options.loop ? ['-stream_loop', '-1'] : []),
        ...(options.inputArgs ?? []),
        '-i',
        url,
        '-an',
        '-vf',
        filters.join(','),
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        'pipe:1',
      ];
      const frameBytes = W * H * 3;
      let pending: VideoFrame | undefined;
      let flushScheduled = false;
      const emit = (frame: VideoFrame): void => {
        if (!options.dropStale) {
          subscriber.next(frame);
          return;
        }
        if (pending) options.onStaleDrop?.(pending);
        pending = frame; // a newer frame replaces one the main thread had no time to emit
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(() => {
            flushScheduled = false;
            const f = pending;
            pending = undefined;
            if (f && !closed) subscriber.next(f);
          });
        }
      };
      const read = options.thread === 'worker' ? readFfmpegInWorker : readFfmpegInProcess;
      const myAttempt = attempt;
      // no frame for idleMs → this ffmpeg is given up (killed), its close event ignored
      let gaveUp = false;
      let idle: NodeJS.Timeout | undefined;
      const armIdle = (): void => {
        if (idle) clearTimeout(idle);
        if (idleMs === 0 || closed) return;
        idle = setTimeout(() => {
          if (closed || gaveUp) return;
          gaveUp = true;
          r.stop();
          if (reader === r) reader = undefined;
          fail(new SamflowError('SOURCE_FAILED', `fromFfmpeg: no frame from '${url}' for ${idleMs} ms (stalled source?); raise readTimeoutMs if it is just slow`, url));
        }, idleMs);
      };
      stopIdle = () => {
        if (idle) clearTimeout(idle);
      };
      const r = read(ffmpegPath, args, frameBytes, {
        onSpawn: (pid) => options.onSpawn?.({ pid, attempt: myAttempt, args }),
        onFrame: (rgb) => {
          if (closed || gaveUp) return;
          armIdle();
          const i = index++;
          emit({ id: `${idPrefix}#${i}`, width: W, height: H, rgb, timestamp: Date.now(), index: i, ptsMs: rate ? (i * 1000) / rate : undefined });
        },
        onClose: ({ code, signal, stderr, spawnErrorCode, spawnErrorMessage }) => {
          if (idle) clearTimeout(idle);
          if (reader === r) reader = undefined;
          if (closed || gaveUp) return;
          if (spawnErrorCode === 'ENOENT') {
            closed = true; // retrying cannot make a missing binary appear
            subscriber.error(
              new SamflowError('NOT_AVAILABLE', `fromFfmpeg: ffmpeg not found at '${ffmpegPath}'; install it (Debian: apt-get install ffmpeg) or pass ffmpegPath`, url),
            );
            return;
          }
          const finish = (): void => {
            if (pending) {
              setImmediate(finish);
              return;
            }
            if (code === 0 && !spawnErrorMessage) {
              closed = true;
              subscriber.complete();
              return;
            }
            const why = spawnErrorMessage ?? (signal ? `was killed by ${signal}` : `exited with code ${code}`);
            fail(new SamflowError('SOURCE_FAILED', `fromFfmpeg: ffmpeg ${why} reading '${url}'${stderr ? `: ${tail(stderr)}` : ''}`, url));
          };
          finish();
        },
      });
      reader = r;
      armIdle();
    };

    void start();
    return () => {
      closed = true;
      stopIdle();
      if (timer) clearTimeout(timer);
      reader?.stop();
      reader = undefined;
    };
  });
}
