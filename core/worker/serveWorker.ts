import { parentPort, workerData } from 'node:worker_threads';
import {
  CONTROL_CLOSING,
  CONTROL_CRASH,
  toWireError,
  type CallMessage,
  type Reply,
  type WorkerApi,
  type WorkerBoot,
  type WorkerHandlers,
  type WorkerMessage,
} from './workerProtocol';

/** What a worker module's setup makes from its init data: its answer to the host and its methods. */
export interface WorkerSetup<Api extends WorkerApi, Ready> {
  readonly ready: Reply<Ready>;
  readonly handlers: WorkerHandlers<Api>;
}

/**
 * The worker side of WorkerHost: runs `setup(workerData)` once (session creation happens here, off
 * the main thread), tells the host 'ready' (or why it failed), then answers calls by id. Calls that
 * arrive during setup wait for it; once the host is terminating, queued calls are answered unrun.
 */
export function serveWorker<Api extends WorkerApi, Init, Ready>(setup: (init: Init) => Promise<WorkerSetup<Api, Ready>>): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorker: this module runs only as a worker thread (started by WorkerHost)');
  const post = (m: WorkerMessage, transfer?: Reply<unknown>['transfer']): void => port.postMessage(m, transfer);
  const { init, control } = workerData as WorkerBoot<Init>;
  const state = setup(init);
  state.then(
    (s) => post({ type: 'ready', value: s.ready.value }, s.ready.transfer),
    (e: unknown) => post({ type: 'initFailed', error: toWireError(e) }),
  );
  port.on('message', (m: CallMessage) => {
    void (async () => {
      try {
        const { handlers } = await state;
        if (Atomics.load(control, CONTROL_CLOSING) === 1) throw new Error('the host is terminating this worker');
        const handler = (handlers as Record<string, (args: unknown) => Promise<Reply<unknown>>>)[m.method];
        if (!handler) throw new Error(`worker has no method "${m.method}"`);
        const r = await handler(m.args);
        if (Atomics.load(control, CONTROL_CRASH) === 1) process.exit(70); // a test's crash: the call dies with the thread
        post({ type: 'result', id: m.id, ok: true, value: r.value }, r.transfer);
      } catch (e) {
        post({ type: 'result', id: m.id, ok: false, error: toWireError(e) });
      }
    })();
  });
}
