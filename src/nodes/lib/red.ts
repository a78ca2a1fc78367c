/**
 * The few parts of the Node-RED runtime API our nodes use, typed here so that
 * the package needs no @types/node-red (and its express/jQuery type tree).
 */

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

export type SendFn = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
export type DoneFn = (err?: Error) => void;

export interface ContextStore {
  get(key: string, store?: string): unknown;
  get(key: string, store: string | undefined, cb: (err: Error | null, value: unknown) => void): void;
  set(key: string, value: unknown, store?: string): void;
  set(key: string, value: unknown, store: string | undefined, cb: (err: Error | null) => void): void;
}

export interface Node {
  id: string;
  type: string;
  name?: string;
  credentials?: Record<string, string | undefined>;
  status(s: NodeStatus): void;
  error(err: unknown, msg?: NodeMessage): void;
  warn(m: unknown): void;
  log(m: unknown): void;
  send(msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>): void;
  context(): ContextStore & { flow: ContextStore; global: ContextStore };
  on(event: 'input', cb: (msg: NodeMessage, send: SendFn, done: DoneFn) => void): void;
  on(event: 'close', cb: (removed: boolean, done: () => void) => void): void;
}

export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  [key: string]: unknown;
}

export interface HttpRequestLike {
  params: Record<string, string>;
  body: Record<string, unknown> | undefined;
}
export interface HttpResponseLike {
  status(code: number): HttpResponseLike;
  json(body: unknown): void;
}
type Handler = (req: HttpRequestLike, res: HttpResponseLike, next?: () => void) => void;

export interface NodeAPI {
  nodes: {
    createNode(node: object, def: NodeDef): void;
    registerType(
      type: string,
      ctor: (this: Node, def: NodeDef) => void,
      opts?: { credentials?: Record<string, { type: 'text' | 'password' }>; settings?: Record<string, unknown> },
    ): void;
    getNode(id: string): unknown;
    getCredentials(id: string): Record<string, string | undefined> | undefined;
  };
  /** Message catalog lookup, bound to the node set's namespace. */
  _(key: string, subs?: Record<string, string | number>): string;
  util: {
    evaluateNodeProperty(value: string, type: string, node: Node, msg: NodeMessage): unknown;
    cloneMessage<M>(msg: M): M;
  };
  httpAdmin: {
    post(path: string, ...handlers: Handler[]): void;
  };
  auth: {
    needsPermission(permission: string): Handler;
  };
}
