/**
 * The slice of the Node-RED 4 runtime API that samflow's nodes use, typed by hand
 * (@types/node-red is not a dependency). Shapes follow node-red's `@node-red/registry/lib/util.js`
 * (what `RED` is inside a node module) and `@node-red/runtime/lib/nodes/Node.js`.
 */

/** A message as it travels along a wire. Node-RED clones it for every extra wire. */
export interface NodeMessage {
  _msgid?: string;
  payload?: unknown;
  topic?: string;
  [key: string]: unknown;
}

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

/** `send` handed to an input handler: one message, or one entry per output (arrays fan out). */
export type NodeSend = (msg: NodeMessage | null | ReadonlyArray<NodeMessage | null | ReadonlyArray<NodeMessage>>) => void;
/** `done` handed to an input handler: call exactly once; with an error so Catch nodes receive it. */
export type NodeDone = (err?: Error) => void;
export type InputHandler = (msg: NodeMessage, send: NodeSend, done: NodeDone) => void;
/** `removed` is true when the node was deleted (not just redeployed). */
export type CloseHandler = (removed: boolean, done: () => void) => void;

/** A runtime node (the `this` of a node constructor after `RED.nodes.createNode`). */
export interface Node {
  readonly id: string;
  readonly type: string;
  readonly z?: string;
  name?: string;
  on(event: 'input', handler: InputHandler): void;
  on(event: 'close', handler: CloseHandler): void;
  send(msg: NodeMessage | null | ReadonlyArray<NodeMessage | null>): void;
  status(status: NodeStatus | Record<string, never>): void;
  /** With `msg`, the error also reaches Catch nodes. */
  error(err: unknown, msg?: NodeMessage): void;
  warn(message: unknown): void;
  log(message: unknown): void;
}

/** The deployed configuration of one node (its editor `defaults`, plus id/type/name/z). */
export interface NodeDef {
  readonly id: string;
  readonly type: string;
  readonly name?: string;
  readonly z?: string;
  readonly [key: string]: unknown;
}

export type NodeConstructor<T extends Node, D extends NodeDef> = (this: T, def: D) => void;

export interface NodeAPI {
  readonly nodes: {
    createNode(node: Node, def: NodeDef): void;
    registerType<T extends Node, D extends NodeDef>(type: string, ctor: NodeConstructor<T, D>, opts?: { credentials?: Record<string, { type: string }> }): void;
    getNode(id: string): Node | null;
    /** Registers a subflow module: the flow JSON with `meta.type` (Node-RED ≥ 1.3). */
    registerSubflow(subflowDef: unknown): void;
  };
  readonly log: {
    info(msg: unknown): void;
    warn(msg: unknown): void;
    error(msg: unknown): void;
  };
  readonly version: () => string;
  /** i18n: a key of the node's message catalogue (locales/<lang>/<node>.json), `__name__` substituted. */
  readonly _?: (key: string, subs?: Record<string, string | number>) => string;
}
