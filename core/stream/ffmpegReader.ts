import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';

/** How fromFfmpeg's child process reports back, whichever thread reads it. */
export interface FfmpegReaderEvents {
  onSpawn(pid: number | undefined): void;
  /** One complete rgb24 frame: uint8[H,W,3]. */
  onFrame(rgb: Uint8Array): void;
  onClose(result: { code: number | null; signal: string | null; stderr: string; spawnErrorCode?: string; spawnErrorMessage?: string }): void;
}

/** A running ffmpeg child; `stop()` kills it (SIGKILL after closing its stdout). */
export interface FfmpegReader {
  stop(): void;
}

/**
 * The reading loop, as plain JavaScript so a worker thread can run it from source (no TS import).
 * `post(type, payload, transfer)` delivers events; returns the stop function.
 */
const READ_LOOP = `
function readLoop(spawn, ffmpegPath, args, frameBytes, post) {
  const proc = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  post('spawn', { pid: proc.pid });
  let buf = new Uint8Array(frameBytes);
  let filled = 0;
  let stderr = '';
  let spawnError;
  let stopped = false;
  proc.stderr.on('data', (d) => { stderr = (stderr + d.toString()).slice(-4000); });
  proc.stdout.on('data', (chunk) => {
    let off = 0;
    while (off < chunk.length && !stopped) {
      const n = Math.min(frameBytes - filled, chunk.length - off);
      buf.set(chunk.subarray(off, off + n), filled);
      filled += n;
      off += n;
      if (filled === frameBytes) {
        const full = buf;
        buf = new Uint8Array(frameBytes);
        filled = 0;
        post('frame', { rgb: full }, [full.buffer]);
      }
    }
  });
  proc.on('error', (e) => { spawnError = e; });
  proc.on('close', (code, signal) => {
    post('close', { code, signal, stderr, spawnErrorCode: spawnError && spawnError.code, spawnErrorMessage: spawnError && spawnError.message });
  });
  return () => {
    stopped = true;
    proc.stdout.destroy();
    proc.kill('SIGKILL');
  };
}
`;

type Post = (type: string, payload: Record<string, unknown>, transfer?: ArrayBuffer[]) => void;
type ReadLoop = (sp: typeof spawn, ffmpegPath: string, args: readonly string[], frameBytes: number, post: Post) => () => void;

// the same loop source runs here and in the worker thread
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- READ_LOOP is our own constant source, shared with the worker
const readLoop = (new Function(`${READ_LOOP}; return readLoop;`) as () => ReadLoop)();

function dispatch(events: FfmpegReaderEvents, type: string, payload: Record<string, unknown>): void {
  if (type === 'spawn') events.onSpawn(payload.pid as number | undefined);
  else if (type === 'frame') events.onFrame(payload.rgb as Uint8Array);
  else if (type === 'close') events.onClose(payload as unknown as Parameters<FfmpegReaderEvents['onClose']>[0]);
}

/** Reads ffmpeg's stdout on the main thread. */
export function readFfmpegInProcess(ffmpegPath: string, args: readonly string[], frameBytes: number, events: FfmpegReaderEvents): FfmpegReader {
  let stopped = false;
  const stop = readLoop(spawn, ffmpegPath, args, frameBytes, (type, payload) => {
    if (!stopped || type === 'close') dispatch(events, type, payload);
  });
  return {
    stop: () => {
      stopped = true;
      stop();
    },
  };
}

/**
 * Reads ffmpeg's stdout on a worker thread, so frames keep arriving (and ffmpeg never stalls on a
 * full pipe) while the main thread is blocked — onnxruntime-node's session.run blocks the main
 * thread for the whole encode. Frames are transferred (not copied) to the main thread.
 */
export function readFfmpegInWorker(ffmpegPath: string, args: readonly string[], frameBytes: number, events: FfmpegReaderEvents): FfmpegReader {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { spawn } = require('node:child_process');
    ${READ_LOOP}
    const stop = readLoop(spawn, workerData.ffmpegPath, workerData.args, workerData.frameBytes, (type, payload, transfer) => {
      parentPort.postMessage({ type, payload }, transfer || []);
      if (type === 'close') parentPort.close();
    });
    parentPort.on('message', (m) => { if (m === 'stop') { stop(); } });
  `;
  const worker = new Worker(source, { eval: true, workerData: { ffmpegPath, args: [...args], frameBytes } });
  let stopped = false;
  worker.on('message', (m: { type: string; payload: Record<string, unknown> }) => {
    if (stopped && m.type !== 'close') return;
    dispatch(events, m.type, m.payload);
    if (m.type === 'close') void worker.terminate();
  });
  worker.on('error', (e) => {
    if (!stopped) events.onClose({ code: null, signal: null, stderr: '', spawnErrorMessage: `reader thread failed: ${e.message}` });
  });
  return {
    stop: () => {
      stopped = true;
      worker.postMessage('stop');
      // give the worker a moment to kill ffmpeg, then end the thread
      setTimeout(() => void worker.terminate(), 200).unref();
    },
  };
}
