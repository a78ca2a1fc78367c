/**
 * One request and its answer on the pool, under one deadline, with the
 * answer's size capped: the undici dispatch handler every call of the client
 * goes through (transport.ts hands it the call; nothing else sends).
 */
import type { Dispatcher, Pool } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { MediantAbortError, MediantError, MediantResponseError, MediantTimeoutError, formatBytes } from './errors';
import { mapError, type MapContext } from './map-error';
import type { OpenedBody, UploadTracker } from './body';
import type { Redact } from './redact';

/** How the body of a successful answer is read: parsed as a JSON object, as UTF-8 text, as bytes, or by its media type. */
export type Expect = 'json' | 'text' | 'bytes' | 'auto';

/** What a 204 or an empty 2xx body stands for. */
export type Empty = 'object' | 'null' | 'string';

export interface Call {
  operation: string;
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  /** [name, value, ...]: undici reads the list and never changes it. */
  headers: readonly string[];
  body?: string | Buffer;
  expect: Expect;
  empty: Empty;
  signal?: AbortSignal | undefined;
  /** This call's cap on the answer, where it differs from the client's (a debug file). */
  maxBytes?: number;
}

export interface Raw {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What every exchange of one client shares: built once per client, not per request. */
export interface Where {
  target: string;
  host: string;
  timeoutMs: number;
  uploadTimeoutMs: number;
  maxBytes: number;
  connections: number;
  redact: Redact;
}

export function ctxOf(w: Where, operation: string): MapContext {
  return { operation, target: w.target, host: w.host, timeoutMs: w.timeoutMs };
}

export interface Upload {
  opened: OpenedBody;
  tracker: UploadTracker & { done: boolean };
}

const EMPTY_BUFFER = Buffer.alloc(0);

export function noop(): void {
  /* replaced by the exchange */
}

async function* markDone(body: AsyncIterable<Buffer>, tracker: Upload['tracker']): AsyncIterable<Buffer> {
  yield* body;
  tracker.done = true;
  tracker.touch();
}

/**
 * One request/answer on the pool, as an undici dispatch handler: collects the
 * body up to the cap (and aborts the connection past it), and settles once,
 * whatever comes first: the answer, an error, the caller's abort signal, the
 * deadline, or the upload watchdog.
 *
 * The deadline starts when the call is handed to the pool, so it covers the
 * wait for a free connection, connecting, sending, the headers (1xx interim
 * answers do not stop it) and the body: `timeout` for a plain request, and
 * `uploadTimeout` for an upload. undici's own connect/headers/body timeouts
 * stay set as a second line.
 *
 * Uploads: undici's headersTimeout starts when the request is written and,
 * for a body that takes minutes to send, could end a healthy upload. So an
 * upload is sent with headersTimeout 0 and watched here instead: the timer
 * starts when the request goes on the socket and starts again with every
 * chunk handed out, so it fires only after `timeout` ms without progress (or,
 * once the body is all sent, without an answer). bodyTimeout still covers the
 * answer's body.
 */
export class Exchange implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | null = null;
  #settled = false;
  #reason: Error | null = null;
  #statusCode = 0;
  #headers: IncomingHttpHeaders = {};
  #chunks: Buffer[] = [];
  #size = 0;
  /** 1xx interim answers seen. */
  #interim = 0;
  #watchdog: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;
  #onAbort: (() => void) | undefined;

  constructor(
    private readonly call: Call,
    private readonly where: Where,
    /** Requests of this client already sent or waiting when this one was handed to the pool. */
    private readonly ahead: number,
    private readonly resolve: (r: Raw) => void,
    private readonly reject: (e: MediantError) => void,
    private readonly upload?: Upload,
  ) {}

  start(pool: Pool): void {
    const { call } = this;
    const signal = call.signal;
    if (signal) {
      if (signal.aborted) {
        this.#fail(new MediantAbortError(call.operation));
        return;
      }
      this.#onAbort = () => this.#fail(new MediantAbortError(call.operation));
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    const limit = this.upload ? this.where.uploadTimeoutMs : this.where.timeoutMs;
    this.#deadline = setTimeout(() => this.#expire(limit), limit);
    const opts: Dispatcher.DispatchOptions = { path: call.path, method: call.method, headers: call.headers as string[] };
    if (this.upload) {
      const { opened, tracker } = this.upload;
      tracker.touch = () => this.#watchdog?.refresh();
      const headers = call.headers.slice();
      headers.push('content-type', opened.contentType);
      if (opened.contentLength !== undefined) headers.push('content-length', String(opened.contentLength));
      opts.headers = headers;
      opts.body = markDone(opened.body, tracker) as unknown as Dispatcher.DispatchOptions['body'];
      opts.headersTimeout = 0;
    } else if (call.body !== undefined) {
      opts.body = call.body;
    }
    try {
      pool.dispatch(opts, this);
    } catch (e) {
      this.#fail(mapError(e, ctxOf(this.where, call.operation)));
    }
  }

  /** Called when the request goes on a connection (until then it waited for one). */
  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#settled) {
      controller.abort(this.#reason ?? new Error('aborted'));
      return;
    }
    if (this.upload) {
      if (this.#watchdog) this.#watchdog.refresh();
      else this.#watchdog = setTimeout(() => this.#idle(), this.where.timeoutMs);
    }
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (this.#settled) return;
    if (statusCode < 200) {
      // 102 Processing, 103 Early Hints...: not an answer; the deadline runs on.
      this.#interim++;
      return;
    }
    this.#clearWatchdog();
    if (this.upload) {
      // The answer to an upload: its body must come within `timeout` (the
      // overall upload bound is far too long for an answer of a few bytes).
      this.upload.tracker.touch = noop;
      this.#watchdog = setTimeout(() => this.#answerTooSlow(), this.where.timeoutMs);
    }
    this.#statusCode = statusCode;
    this.#headers = headers;
    const declared = Number(headers['content-length']);
    if (declared > this.#maxBytes()) {
      this.#fail(this.#tooLarge()); // aborts the connection: nothing more is read
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return;
    this.#size += chunk.length;
    if (this.#size > this.#maxBytes()) {
      this.#fail(this.#tooLarge()); // aborts the connection: nothing more is read
      return;
    }
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#cleanup();
    const chunks = this.#chunks;
    const body = chunks.length === 0 ? EMPTY_BUFFER : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.#size);
    this.#chunks = [];
    this.resolve({ statusCode: this.#statusCode, headers: this.#headers, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.#fail(mapError(err, ctxOf(this.where, this.call.operation)));
  }

  #maxBytes(): number {
    return this.call.maxBytes ?? this.where.maxBytes;
  }

  #tooLarge(): MediantResponseError {
    return new MediantResponseError(this.call.operation, `response larger than ${formatBytes(this.#maxBytes())}`, this.#statusCode || undefined);
  }

  #idle(): void {
    this.#watchdog = undefined;
    const t = this.upload?.tracker;
    const what = t && (t.done || (t.total !== undefined && t.sent >= t.total)) ? 'answer after the upload' : 'upload progress';
    this.#fail(new MediantTimeoutError(this.call.operation, this.where.target, this.where.timeoutMs, what));
  }

  #answerTooSlow(): void {
    this.#watchdog = undefined;
    this.#fail(new MediantTimeoutError(this.call.operation, this.where.target, this.where.timeoutMs, 'complete answer'));
  }

  /** The whole exchange took too long: say where the time went. */
  #expire(limit: number): void {
    this.#deadline = undefined;
    const { operation } = this.call;
    const { target, connections } = this.where;
    let error: MediantTimeoutError;
    if (this.upload) {
      error = new MediantTimeoutError(operation, target, limit, 'complete answer', 'an upload and its answer may take at most that long');
    } else if (this.#statusCode !== 0) {
      error = new MediantTimeoutError(operation, target, limit, 'complete answer');
    } else if (this.#controller) {
      error = new MediantTimeoutError(operation, target, limit, 'answer', this.#interim > 0 ? `only ${this.#interim} interim 1xx answers` : undefined);
    } else if (this.ahead >= connections) {
      error = new MediantTimeoutError(operation, target, limit, 'answer', `waited for a free connection: all ${connections} busy with earlier requests`);
    } else {
      error = new MediantTimeoutError(operation, target, limit, 'answer to the connection attempt');
    }
    this.#fail(error);
  }

  #fail(err: MediantError): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reason = err;
    this.#cleanup();
    this.#chunks = [];
    const c = this.#controller;
    if (c && !c.aborted) c.abort(err);
    this.reject(err);
  }

  #clearWatchdog(): void {
    if (this.#watchdog) {
      clearTimeout(this.#watchdog);
      this.#watchdog = undefined;
    }
  }

  #cleanup(): void {
    this.#clearWatchdog();
    if (this.#deadline) {
      clearTimeout(this.#deadline);
      this.#deadline = undefined;
    }
    if (this.#onAbort) {
      this.call.signal?.removeEventListener('abort', this.#onAbort);
      this.#onAbort = undefined;
    }
  }
}
