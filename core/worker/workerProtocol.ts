import type { TransferListItem } from 'node:worker_threads';
import { SamflowError, type SamflowErrorCode } from '../errors';

/** A worker's methods: each name maps to what it takes and what it answers. */
export type WorkerApi = Record<string, { readonly args: unknown; readonly result: unknown }>;

/** A value a worker or the host sends, with the buffers to move (not copy) along with it. */
export interface Reply<T> {
  readonly value: T;
  readonly transfer?: readonly TransferListItem[];
}

/** How the worker side implements an Api: one async function per method. */
export type WorkerHandlers<Api extends WorkerApi> = {
  readonly [M in keyof Api]: (args: Api[M]['args']) => Promise<Reply<Api[M]['result']>>;
};

/** An error as it crosses threads (structured clone drops the class). */
export interface WireError {
  readonly code?: SamflowErrorCode;
  readonly message: string;
  readonly source?: string;
}

/**
 * What WorkerHost hands a worker as workerData: the module's init data, and an Int32Array over a
 * SharedArrayBuffer the worker reads between calls (it cannot read messages while a run holds it).
 */
export interface WorkerBoot<Init> {
  readonly init: Init;
  /** [CONTROL_CLOSING]: 1 = answer the calls still queued without running them (the host is terminating). [CONTROL_CRASH]: 1 = exit after the current run (a test's crash). */
  readonly control: Int32Array;
}
export const CONTROL_CLOSING = 0;
export const CONTROL_CRASH = 1;

export interface CallMessage {
  readonly id: number;
  readonly method: string;
  readonly args: unknown;
}

export type WorkerMessage =
  | { readonly type: 'ready'; readonly value: unknown }
  | { readonly type: 'initFailed'; readonly error: WireError }
  | { readonly type: 'result'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'result'; readonly id: number; readonly ok: false; readonly error: WireError };

export function toWireError(e: unknown): WireError {
  if (e instanceof SamflowError) return { code: e.code, message: e.message, ...(e.source !== undefined ? { source: e.source } : {}) };
  return { message: e instanceof Error ? e.message : String(e) };
}

export function fromWireError(w: WireError): Error {
  return w.code ? new SamflowError(w.code, w.message, w.source) : new Error(w.message);
}

/** The ArrayBuffers behind typed arrays, for a transfer list (SharedArrayBuffers are shared anyway, never listed). */
export function buffersOf(...arrays: readonly ArrayBufferView[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const a of arrays) {
    if (a.buffer instanceof ArrayBuffer && !out.includes(a.buffer)) out.push(a.buffer);
  }
  return out;
}

/**
 * A Float32Array that can be moved to another thread without taking other data with it: the array
 * itself when it spans its whole ArrayBuffer, else a copy.
 */
export function ownFloat32(a: Float32Array): Float32Array {
  return a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

/** The typed arrays a tensor can hold that can live in a SharedArrayBuffer. */
export type SharableArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** A copy of `a` in a new SharedArrayBuffer (same element type): other threads read it without a copy. */
export function sharedCopy<T extends SharableArray>(a: T): T {
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  (out as unknown as { set(src: T): void }).set(a);
  return out;
}

export function isSharableArray(a: unknown): a is SharableArray {
  return (
    a instanceof Float32Array ||
    a instanceof Float64Array ||
    a instanceof Int8Array ||
    a instanceof Uint8Array ||
    a instanceof Int16Array ||
    a instanceof Uint16Array ||
    a instanceof Int32Array ||
    a instanceof Uint32Array ||
    a instanceof BigInt64Array ||
    a instanceof BigUint64Array
  );
}
