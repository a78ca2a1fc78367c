/**
 * The transport of one client: its settings, its undici pool, its bound on
 * requests per device, the 409 retry, and the reading of every answer into
 * an ApiResponse or exactly one MediantError. The per-resource operations
 * (ops/*.ts) build a Call and hand it to `perform`; none of them touches the
 * pool, a header with the credentials or an answer's raw bytes.
 *
 * What every call goes through, in order:
 *   1. the operation checks every value that goes into the URL or body
 *      (validate.ts) and refuses with MediantInputError before anything is
 *      sent;
 *   2. `perform` refuses at once when too many requests to the device are
 *      already waiting or under way (maxQueued);
 *   3. the Exchange (exchange.ts) sends through the pool under ONE deadline
 *      for the whole exchange; uploads have an idle watchdog plus a generous
 *      overall bound;
 *   4. the answer is read with a size cap, then parsed (parse.ts: JSON with a
 *      depth limit, text, bytes);
 *   5. any failure becomes exactly one MediantError (map-error.ts), with
 *      whatever text the device sent passed through the redactor (redact.ts).
 *
 * The Basic auth header is built once, kept in a private field, and goes only
 * into the request headers: no message, error or log is ever made from it.
 */
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { isIP } from 'node:net';
import { Pool } from 'undici';
import { MediantAbortError, MediantBusyError, MediantError, MediantHttpError, MediantInputError, MediantNetworkError, MediantResponseError, Hidden } from './errors';
import { closedWithoutAnswer, mapError, type MapContext } from './map-error';
import { noop, ctxOf, Exchange, type Call, type Raw, type Upload, type Where } from './exchange';
import type { PreparedUpload } from './body';
import { makeRedactor } from './redact';
import { deviceDescription, mediaType, parseJson } from './parse';
import { privilegeHint } from './privileges';
import { versionAtLeast } from './version';
import { checkBoolean, checkHost, checkInteger, checkMs, checkPassword, checkPort, checkUsername } from './validate';
import type { ApiResponse, ClientOptions, UploadOptions } from './types';

export const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * Connections are opened only when requests wait for one, so an idle device
 * uses one. Ten lets the alarm engine's eight detail reads (its default
 * concurrency, see alarm-sync.ts) run beside the next list page and another
 * node's call (status, reset) on the same device.
 */
export const DEFAULT_CONNECTIONS = 10;
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/**
 * Requests to one device that may wait or run at once; past it a call is
 * refused at once (EBUSY), so a flood of messages to a slow or silent device
 * cannot pile up without bound.
 */
export const DEFAULT_MAX_QUEUED = 256;
/** The overall bound on one upload and its answer (its idle watchdog is `timeout`): 2 hours. */
export const DEFAULT_UPLOAD_TIMEOUT_MS = 2 * 60 * 60 * 1000;
/** The longest the client waits to learn whether a port speaks TLS (see `explain`). */
const TLS_PROBE_MS = 5_000;
/** How much later than the exchange's deadline undici's own timeouts fire. */
const UNDICI_MARGIN_MS = 1000;
/** 409 retry: first wait, doubled each time up to the cap. */
export const CONFLICT_RETRY_BASE_MS = 1000;
export const CONFLICT_RETRY_CAP_MS = 16_000;

/**
 * Options the client accepts beyond the public ClientOptions. Undocumented for
 * users: tests shorten the 409 backoff with it.
 */
export interface InternalClientOptions extends ClientOptions {
  /** First wait before retrying a 409, ms (doubles each time). Default 1000. */
  conflictRetryBaseMs?: number;
}

export const ACCEPT_JSON = 'application/json';
/** Downloads: the device sends application/octet-stream. */
export const ACCEPT_FILE = 'application/octet-stream, text/plain;q=0.9, */*;q=0.8';
/** Generic request: JSON first, anything else accepted. */
export const ACCEPT_ANY = 'application/json, text/plain;q=0.9, */*;q=0.8';

/** Header lists built once per client: [name, value, ...], the credentials included. */
export interface HeaderSets {
  readonly getJson: readonly string[];
  readonly sendJson: readonly string[];
  readonly getFile: readonly string[];
  readonly getAny: readonly string[];
  readonly sendAny: readonly string[];
}

/**
 * Does a device of this `versionID` take uploads as multipart/form-data?
 * The vendor's pages that document multipart (File Upload Encoding, the
 * incremental CLI script with its 7.20A example) are those of 7.2 and 7.4,
 * and every public client proven on 7.x hardware sends multipart; the 2015
 * document (7.0) sends the raw file. So: 7.20 and later yes, earlier no;
 * undefined where the version cannot be read.
 */
export function multipartForVersion(versionID: unknown): boolean | undefined {
  return versionAtLeast(versionID, '7.2');
}

export class Transport {
  readonly target: string;
  readonly maxBytes: number;
  readonly h: HeaderSets;
  /** How uploads are encoded: pinned, or `auto` (by the device's firmware). */
  readonly #encoding: 'auto' | 'multipart' | 'octet-stream';
  /** `auto`: multipart or not, as learnt from the device's last /status answer. */
  #learnt: boolean | undefined;
  readonly #pool: Pool;
  readonly #protocol: 'https' | 'http';
  readonly #port: number;
  readonly #auth: string;
  readonly #where: Where;
  readonly #maxQueued: number;
  readonly #conflictRetryMs: number;
  readonly #conflictBaseMs: number;
  /** Requests sent or waiting for a connection, not yet settled. */
  #pending = 0;
  #closing: Promise<void> | undefined;

  constructor(opts: ClientOptions) {
    if (!opts || typeof opts !== 'object') throw new MediantInputError('client options', 'an object', opts);
    const o = opts as InternalClientOptions;
    const host = checkHost(o.host);
    const protocol = o.protocol ?? 'https';
    if (protocol !== 'https' && protocol !== 'http') throw new MediantInputError('protocol', 'https or http', protocol);
    const port = o.port === undefined ? (protocol === 'https' ? 443 : 80) : checkPort(o.port);
    const username = checkUsername(o.username);
    const password = checkPassword(o.password);
    const timeout = o.timeout === undefined ? DEFAULT_TIMEOUT_MS : checkMs(o.timeout, 'timeout');
    const connections = o.connections === undefined ? DEFAULT_CONNECTIONS : checkInteger(o.connections, 'connections', 1, 1024);
    this.maxBytes = o.maxResponseBytes === undefined ? DEFAULT_MAX_RESPONSE_BYTES : checkInteger(o.maxResponseBytes, 'maxResponseBytes', 1, 2 ** 31 - 1);
    this.#encoding = o.multipartUploads === undefined || o.multipartUploads === 'auto' ? 'auto' : checkBoolean(o.multipartUploads, 'multipartUploads') ? 'multipart' : 'octet-stream';
    this.#conflictRetryMs = o.conflictRetryMs === undefined ? 0 : checkInteger(o.conflictRetryMs, 'conflictRetryMs', 0, 2 ** 31 - 1);
    this.#conflictBaseMs = o.conflictRetryBaseMs === undefined ? CONFLICT_RETRY_BASE_MS : checkMs(o.conflictRetryBaseMs, 'conflictRetryBaseMs');
    const uploadTimeoutMs = o.uploadTimeout === undefined ? DEFAULT_UPLOAD_TIMEOUT_MS : checkMs(o.uploadTimeout, 'uploadTimeout');
    this.#maxQueued = o.maxQueued === undefined ? DEFAULT_MAX_QUEUED : checkInteger(o.maxQueued, 'maxQueued', 1, 1_000_000);

    const hostInUrl = host.includes(':') ? `[${host}]` : host;
    this.target = `${hostInUrl}:${port}`;
    this.#protocol = protocol;
    this.#port = port;
    this.#where = {
      target: this.target,
      host,
      timeoutMs: timeout,
      uploadTimeoutMs: Math.max(uploadTimeoutMs, timeout),
      maxBytes: this.maxBytes,
      connections,
      redact: makeRedactor(username, password),
    };

    this.#auth = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
    this.h = {
      getJson: this.headers(ACCEPT_JSON),
      sendJson: this.headers(ACCEPT_JSON, 'application/json'),
      getFile: this.headers(ACCEPT_FILE),
      getAny: this.headers(ACCEPT_ANY),
      sendAny: this.headers(ACCEPT_ANY, 'application/json'),
    };

    const connect: Record<string, unknown> = { timeout };
    if (protocol === 'https') Object.assign(connect, tlsConnectOptions(o.tls));
    this.#pool = new Pool(`${protocol}://${hostInUrl}:${port}`, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      // The exchange's own deadline (see Exchange) decides first and says where
      // the time went; undici's idle timeouts stay as a second line behind it.
      headersTimeout: timeout + UNDICI_MARGIN_MS,
      bodyTimeout: timeout + UNDICI_MARGIN_MS,
      connect,
    });
  }

  /**
   * Whether an upload goes as multipart/form-data. Pinned by the client's
   * `multipartUploads`; `auto` (the default) follows the device's firmware
   * (multipartForVersion), read from its /status once and remembered (any
   * /status answer refreshes it; a reset or a software upload forgets it).
   * A device whose version cannot be read, or whose /status is refused,
   * gets application/octet-stream, the encoding of the 2015 document, and is
   * asked again at the next upload. The /status read is part of the upload:
   * its failure (a timeout, the device down, an abort) is the upload's.
   */
  async multipartFor(operation: string, signal: AbortSignal | undefined): Promise<boolean> {
    if (this.#encoding !== 'auto') return this.#encoding === 'multipart';
    if (this.#learnt !== undefined) return this.#learnt;
    try {
      const res = await this.perform<Record<string, unknown>>({ operation, method: 'GET', path: '/api/v1/status', headers: this.h.getJson, expect: 'json', empty: 'object', signal });
      this.noteStatus(res.body);
    } catch (e) {
      if (e instanceof MediantHttpError || e instanceof MediantResponseError) return false;
      throw e;
    }
    return this.#learnt ?? false;
  }

  /** A /status answer seen: the firmware it names decides `auto` uploads from now on. */
  noteStatus(body: unknown): void {
    this.#learnt = body !== null && typeof body === 'object' ? multipartForVersion((body as Record<string, unknown>).versionID) : undefined;
  }

  /** The device restarts, maybe with another firmware (reset, software upload): `auto` asks again. */
  forgetFirmware(): void {
    this.#learnt = undefined;
  }

  /** A header list with the credentials, `accept` and, where given, `content-type`. */
  headers(accept: string, contentType?: string): string[] {
    const out = ['authorization', this.#auth, 'accept', accept];
    if (contentType !== undefined) out.push('content-type', contentType);
    return out;
  }

  /** The text with this client's credentials (password, its Basic token) cut out: for texts from the device. */
  redact(text: string): string {
    return this.#where.redact(text);
  }

  ctx(operation: string): MapContext {
    return ctxOf(this.#where, operation);
  }

  /** Runs `fn` and makes sure whatever it rejects with is a MediantError. */
  async guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw mapError(e, this.ctx(operation));
    }
  }

  /** GET `path`, a JSON object answer ({} when empty). */
  getJson<T>(operation: string, path: string, signal?: AbortSignal): Promise<ApiResponse<T>> {
    return this.guard(operation, () =>
      this.perform<T>({ operation, method: 'GET', path, headers: this.h.getJson, expect: 'json', empty: 'object', signal: checkSignal(signal, operation) }),
    );
  }

  /**
   * Sends the call (again on 409 while the conflict budget lasts) and reads
   * the answer. A Readable body cannot be re-sent, so it is never retried.
   */
  async perform<T>(call: Call, upload?: PreparedUpload, onProgress?: UploadOptions['onProgress']): Promise<ApiResponse<T>> {
    checkSignal(call.signal, call.operation);
    const retry = this.#conflictRetryMs > 0 && (!upload || upload.retryable);
    let deadline = 0;
    let wait = this.#conflictBaseMs;
    for (;;) {
      let raw: Raw;
      if (upload) {
        const tracker: Upload['tracker'] = { sent: 0, total: upload.size, touch: noop, done: false };
        if (onProgress) tracker.onProgress = onProgress;
        const opened = upload.open(tracker);
        try {
          raw = await this.#explained(call, { opened, tracker });
        } finally {
          opened.dispose();
        }
      } else {
        raw = await this.#explained(call);
      }
      if (raw.statusCode === 409 && retry) {
        const now = Date.now();
        if (deadline === 0) deadline = now + this.#conflictRetryMs;
        const left = deadline - now;
        if (left > 0) {
          await sleep(Math.min(wait, left), call.signal, call.operation);
          wait = Math.min(wait * 2, CONFLICT_RETRY_CAP_MS);
          continue;
        }
      }
      return this.#interpret<T>(raw, call);
    }
  }

  close(): Promise<void> {
    if (!this.#closing) this.#closing = this.#pool.close().catch(() => undefined);
    return this.#closing;
  }

  destroy(): Promise<void> {
    const p = this.#pool.destroyed ? Promise.resolve() : this.#pool.destroy().catch(() => undefined);
    this.#closing ??= p;
    return p;
  }

  /** `#send`, with a failure that looks like plain HTTP sent to a TLS port explained (see `explain`). */
  async #explained(call: Call, upload?: Upload): Promise<Raw> {
    try {
      return await this.#send(call, upload);
    } catch (e) {
      throw e instanceof MediantError ? await this.#explain(e, call) : e;
    }
  }

  /**
   * A port that speaks TLS closes the connection on a plain HTTP request
   * (Node's and OpenSSL's servers send nothing back; others send a TLS
   * alert, which is no HTTP): the error would say "connection dropped" of a
   * device that is up. So when a plain-HTTP client fails that way, it asks
   * the port: a TLS handshake (nothing sent over it, no credentials: the
   * answer only says whether the port speaks TLS, so its certificate is not
   * checked), bounded by the timeout and at most 5 s. When it does, the
   * error says so and what to do, as the reverse mistake's does.
   */
  async #explain(err: MediantError, call: Call): Promise<MediantError> {
    if (this.#protocol !== 'http' || !closedWithoutAnswer(err) || call.signal?.aborted) return err;
    const tlsPort = await speaksTls(this.#where.host, this.#port, Math.min(this.#where.timeoutMs, TLS_PROBE_MS), call.signal);
    if (!tlsPort) return err;
    return new MediantNetworkError(
      call.operation,
      `${this.target} serves HTTPS, not plain HTTP: set the protocol to https (it closed the connection on the plain HTTP request)`,
      'wrongProtocol',
    );
  }

  #send(call: Call, upload?: Upload): Promise<Raw> {
    if (this.#pending >= this.#maxQueued) {
      return Promise.reject(
        new MediantBusyError(
          call.operation,
          `${this.#pending} requests to ${this.target} are already waiting or under way (the most allowed): the device is slow or does not answer; try again later`,
        ),
      );
    }
    // Requests already sent or waiting: with as many as there are connections, this one waits for a free one.
    const ahead = this.#pending;
    this.#pending++;
    return new Promise<Raw>((resolve, reject) => {
      const ex = new Exchange(
        call,
        this.#where,
        ahead,
        (raw) => {
          this.#pending--;
          resolve(raw);
        },
        (err) => {
          this.#pending--;
          reject(err);
        },
        upload,
      );
      ex.start(this.#pool);
    });
  }

  #interpret<T>(raw: Raw, call: Call): ApiResponse<T> {
    const { statusCode, headers, body } = raw;
    if (statusCode >= 300) {
      // a 403 does not say which level was missing: our own table does (privileges.ts)
      const hint = statusCode === 403 ? privilegeHint(call.method, call.path) : undefined;
      throw new MediantHttpError(call.operation, statusCode, deviceDescription(headers, body, this.#where.redact), hint);
    }
    let out: unknown;
    if (statusCode === 204 || body.length === 0) {
      out = call.empty === 'object' ? {} : call.empty === 'null' ? null : '';
    } else if (call.expect === 'json') {
      out = parseJson(body, mediaType(headers), call.operation, true);
    } else if (call.expect === 'text') {
      out = body.toString('utf8');
    } else if (call.expect === 'bytes') {
      out = body;
    } else {
      const type = mediaType(headers);
      if (type === 'application/json' || type.endsWith('+json')) out = parseJson(body, type, call.operation, false);
      else if (type.startsWith('text/')) out = body.toString('utf8');
      else out = body;
    }
    return { statusCode, body: out as T, headers };
  }
}

// ---- checks shared by the operations --------------------------------------

export function checkSignal(signal: unknown, operation: string): AbortSignal | undefined {
  if (signal === undefined || signal === null) return undefined;
  if (signal instanceof AbortSignal) {
    if (signal.aborted) throw new MediantAbortError(operation);
    return signal;
  }
  throw new MediantInputError('signal', 'an AbortSignal', signal, operation);
}

export function checkUploadOptions(opts: UploadOptions | undefined, operation: string): UploadOptions {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object') throw new MediantInputError('upload options', 'an object', opts, operation);
  const out: UploadOptions = {};
  if (opts.onProgress !== undefined) {
    if (typeof opts.onProgress !== 'function') throw new MediantInputError('onProgress', 'a function', opts.onProgress, operation);
    out.onProgress = opts.onProgress;
  }
  if (opts.multipart !== undefined) out.multipart = checkBoolean(opts.multipart, 'multipart', operation);
  if (opts.filenameProperty !== undefined) {
    if (typeof opts.filenameProperty !== 'string' || opts.filenameProperty.length > 60) {
      throw new MediantInputError('filenameProperty', 'a short property name', opts.filenameProperty, operation);
    }
    out.filenameProperty = opts.filenameProperty;
  }
  const signal = checkSignal(opts.signal, operation);
  if (signal) out.signal = signal;
  return out;
}

/** Waits `ms`; rejects with MediantAbortError(operation) when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined, operation: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new MediantAbortError(operation));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal) {
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
  });
}

/**
 * Whether `host:port` completes a TLS handshake (or answers one with a TLS
 * alert, such as a request for a client certificate), within `ms`. Nothing
 * is sent over the connection; it is closed at once.
 */
function speaksTls(host: string, port: number, ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let done = false;
    const opts: ConnectionOptions = { host, port, rejectUnauthorized: false, timeout: ms };
    if (isIP(host) === 0) opts.servername = host;
    const socket = tlsConnect(opts);
    const finish = (yes: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(yes);
    };
    const onAbort = (): void => finish(false);
    const timer = setTimeout(() => finish(false), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => finish(true));
    socket.once('error', (e: NodeJS.ErrnoException) => finish(typeof e.code === 'string' && /^ERR_SSL_.*ALERT/.test(e.code)));
    socket.once('close', () => finish(false));
  });
}

function tlsConnectOptions(tls: ClientOptions['tls']): Record<string, unknown> {
  const out: Record<string, unknown> = { rejectUnauthorized: true };
  if (tls === undefined || tls === null) return out;
  if (typeof tls !== 'object') throw new MediantInputError('tls', 'an object of TLS options', tls);
  const pem = (v: unknown, name: string): void => {
    if (v === undefined || v === null || v === '') return;
    const ok = typeof v === 'string' || Buffer.isBuffer(v) || (name === 'ca' && Array.isArray(v) && v.every((x) => typeof x === 'string' || Buffer.isBuffer(x)));
    if (!ok) throw new MediantInputError(`tls.${name}`, 'PEM text or a Buffer', v);
    out[name] = v;
  };
  pem(tls.ca, 'ca');
  pem(tls.cert, 'cert');
  pem(tls.key, 'key');
  if (tls.passphrase !== undefined && tls.passphrase !== null && tls.passphrase !== '') {
    if (typeof tls.passphrase !== 'string') throw new MediantInputError('tls.passphrase', 'a string', new Hidden(tls.passphrase));
    out.passphrase = tls.passphrase;
  }
  if (tls.servername !== undefined && tls.servername !== null && tls.servername !== '') {
    out.servername = checkHost(tls.servername, 'tls.servername');
  }
  // Verification is on unless turned off explicitly with `false`.
  out.rejectUnauthorized = tls.rejectUnauthorized !== false;
  return out;
}
