/**
 * MediantClient: one device, one undici connection pool, every operation of
 * the vendor document (`mediant-rest-api.txt`) as a method.
 *
 * What every call does, in order:
 *   1. checks every value that goes into the URL or body (validate.ts) and
 *      refuses with MediantInputError before anything is sent;
 *   2. refuses at once when too many requests to the device are already
 *      waiting or under way (maxQueued);
 *   3. sends through the pool under ONE deadline for the whole exchange:
 *      waiting for a free connection, connecting, the headers (1xx interim
 *      answers count against it) and the body. Uploads have an idle watchdog
 *      (no progress for `timeout`) plus a generous overall bound
 *      (`uploadTimeout`), see Exchange;
 *   4. reads the answer with a size cap, then parses it (JSON with a depth
 *      limit, text, bytes): parseDeviceJson is the one JSON parser;
 *   5. turns any failure into exactly one MediantError (map-error.ts), with
 *      whatever text the device sent passed through the redactor (redact.ts).
 *
 * The Basic auth header is built once, kept in a private field, and goes only
 * into the request headers: no message, error or log is ever made from it.
 */
import { Pool, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import {
  MediantAbortError,
  MediantBusyError,
  MediantError,
  MediantHttpError,
  MediantInputError,
  MediantResponseError,
  MediantTimeoutError,
  Hidden,
  PathValue,
  formatBytes,
} from './errors';
import { mapError, type MapContext } from './map-error';
import { prepareUpload, isReadable, type OpenedBody, type PreparedUpload, type UploadTracker } from './body';
import { makeRedactor, type Redact } from './redact';
import {
  checkAlarmId,
  checkAlarmType,
  checkApiPath,
  checkBoolean,
  checkCursor,
  checkDownloadFileType,
  checkFileType,
  checkHost,
  checkInteger,
  checkLimit,
  checkMethod,
  checkMs,
  checkPassword,
  checkPmIndex,
  checkPmInterval,
  checkPmName,
  checkPort,
  checkResetOptions,
  checkUsername,
} from './validate';
import type {
  AlarmDetails,
  AlarmIterateOptions,
  AlarmPage,
  AlarmPageQuery,
  AlarmSummary,
  AlarmType,
  ApiResponse,
  CliResult,
  ClientOptions,
  DescriptionBody,
  DeviceStatus,
  DownloadFileType,
  FileType,
  GenericRequest,
  LicenseInfo,
  LicenseKey,
  MediantApi,
  NavItem,
  PmDiscovery,
  PmList,
  PmQuery,
  PmValue,
  PmValuesQuery,
  ResetOptions,
  UploadBody,
  UploadOptions,
} from './types';

export const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * Connections are opened only when requests wait for one, so an idle device
 * uses one. Six lets the alarm engine's four detail reads run beside the next
 * list page and another node's call (status, reset) on the same device.
 */
export const DEFAULT_CONNECTIONS = 6;
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_ALARM_PAGES = 10_000;
/**
 * Requests to one device that may wait or run at once; past it a call is
 * refused at once (EBUSY), so a flood of messages to a slow or silent device
 * cannot pile up without bound.
 */
export const DEFAULT_MAX_QUEUED = 256;
/** The overall bound on one upload and its answer (its idle watchdog is `timeout`): 2 hours. */
export const DEFAULT_UPLOAD_TIMEOUT_MS = 2 * 60 * 60 * 1000;
/** JSON answers nested deeper than this are refused: this API nests 4 levels at most. */
export const MAX_JSON_DEPTH = 32;
/** PM indexes read at most for one `getPmValues` (index `all`). */
export const DEFAULT_MAX_PM_INDEXES = 10_000;
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

/** How the body of a successful answer is read. */
const enum Expect {
  Json,
  Text,
  Auto,
}

/** What a 204 or an empty 2xx body stands for. */
const enum Empty {
  Object,
  Null,
  String,
}

interface Call {
  operation: string;
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  headers: string[];
  body?: string | Buffer;
  expect: Expect;
  empty: Empty;
  signal?: AbortSignal | undefined;
}

interface Raw {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What every exchange of one client shares: built once per client, not per request. */
interface Where {
  target: string;
  host: string;
  timeoutMs: number;
  uploadTimeoutMs: number;
  maxBytes: number;
  connections: number;
  redact: Redact;
}

function ctxOf(w: Where, operation: string): MapContext {
  return { operation, target: w.target, host: w.host, timeoutMs: w.timeoutMs };
}

interface Upload {
  opened: OpenedBody;
  tracker: UploadTracker & { done: boolean };
}

const EMPTY_BUFFER = Buffer.alloc(0);
const ACCEPT_JSON = 'application/json';
/** Downloads: the device sends application/octet-stream. */
const ACCEPT_FILE = 'application/octet-stream, text/plain;q=0.9, */*;q=0.8';
/** Generic request: JSON first, anything else accepted. */
const ACCEPT_ANY = 'application/json, text/plain;q=0.9, */*;q=0.8';

export class MediantClient implements MediantApi {
  readonly target: string;
  readonly #pool: Pool;
  readonly #timeout: number;
  readonly #maxBytes: number;
  readonly #multipart: boolean;
  readonly #conflictRetryMs: number;
  readonly #conflictBaseMs: number;
  /** Header lists built once: [name, value, ...]; undici reads them and never changes them. */
  readonly #hGetJson: string[];
  readonly #hSendJson: string[];
  readonly #hGetFile: string[];
  readonly #hGetAny: string[];
  readonly #hSendAny: string[];
  readonly #auth: string;
  readonly #where: Where;
  readonly #maxQueued: number;
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
    this.#timeout = o.timeout === undefined ? DEFAULT_TIMEOUT_MS : checkMs(o.timeout, 'timeout');
    const connections = o.connections === undefined ? DEFAULT_CONNECTIONS : checkInteger(o.connections, 'connections', 1, 1024);
    this.#maxBytes = o.maxResponseBytes === undefined ? DEFAULT_MAX_RESPONSE_BYTES : checkInteger(o.maxResponseBytes, 'maxResponseBytes', 1, 2 ** 31 - 1);
    this.#multipart = o.multipartUploads === undefined ? false : checkBoolean(o.multipartUploads, 'multipartUploads');
    this.#conflictRetryMs = o.conflictRetryMs === undefined ? 0 : checkInteger(o.conflictRetryMs, 'conflictRetryMs', 0, 2 ** 31 - 1);
    this.#conflictBaseMs = o.conflictRetryBaseMs === undefined ? CONFLICT_RETRY_BASE_MS : checkMs(o.conflictRetryBaseMs, 'conflictRetryBaseMs');
    const uploadTimeoutMs = o.uploadTimeout === undefined ? DEFAULT_UPLOAD_TIMEOUT_MS : checkMs(o.uploadTimeout, 'uploadTimeout');
    this.#maxQueued = o.maxQueued === undefined ? DEFAULT_MAX_QUEUED : checkInteger(o.maxQueued, 'maxQueued', 1, 1_000_000);

    const hostInUrl = host.includes(':') ? `[${host}]` : host;
    this.target = `${hostInUrl}:${port}`;
    this.#where = {
      target: this.target,
      host,
      timeoutMs: this.#timeout,
      uploadTimeoutMs: Math.max(uploadTimeoutMs, this.#timeout),
      maxBytes: this.#maxBytes,
      connections,
      redact: makeRedactor(username, password),
    };

    this.#auth = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
    this.#hGetJson = ['authorization', this.#auth, 'accept', ACCEPT_JSON];
    this.#hSendJson = ['authorization', this.#auth, 'accept', ACCEPT_JSON, 'content-type', 'application/json'];
    this.#hGetFile = ['authorization', this.#auth, 'accept', ACCEPT_FILE];
    this.#hGetAny = ['authorization', this.#auth, 'accept', ACCEPT_ANY];
    this.#hSendAny = ['authorization', this.#auth, 'accept', ACCEPT_ANY, 'content-type', 'application/json'];

    const connect: Record<string, unknown> = { timeout: this.#timeout };
    if (protocol === 'https') Object.assign(connect, tlsConnectOptions(o.tls));
    this.#pool = new Pool(`${protocol}://${hostInUrl}:${port}`, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      // The exchange's own deadline (see Exchange) decides first and says where
      // the time went; undici's idle timeouts stay as a second line behind it.
      headersTimeout: this.#timeout + UNDICI_MARGIN_MS,
      bodyTimeout: this.#timeout + UNDICI_MARGIN_MS,
      connect,
    });
  }

  // ---- navigation -------------------------------------------------------

  getApiRoot(): Promise<ApiResponse<{ versions: NavItem[] }>> {
    return this.#getJson('read API root', '/api');
  }

  getNavigation(): Promise<ApiResponse<{ items: NavItem[] }>> {
    return this.#getJson('read API navigation', '/api/v1');
  }

  getActions(): Promise<ApiResponse<{ actions: NavItem[] }>> {
    return this.#getJson('read actions list', '/api/v1/actions');
  }

  getFiles(): Promise<ApiResponse<{ files: NavItem[] }>> {
    return this.#getJson('read files list', '/api/v1/files');
  }

  getAlarmsRoot(): Promise<ApiResponse<{ alarms: NavItem[] }>> {
    return this.#getJson('read alarms list', '/api/v1/alarms');
  }

  // ---- actions ------------------------------------------------------------

  reset(opts?: ResetOptions, signal?: AbortSignal): Promise<ApiResponse<DescriptionBody>> {
    const operation = 'reset';
    return this.#guard(operation, () => {
      const body = JSON.stringify(checkResetOptions(opts, operation));
      return this.#perform({ operation, method: 'POST', path: '/api/v1/actions/reset', headers: this.#hSendJson, body, expect: Expect.Json, empty: Empty.Object, signal });
    });
  }

  saveConfiguration(signal?: AbortSignal): Promise<ApiResponse<DescriptionBody>> {
    const operation = 'save configuration';
    return this.#guard(operation, () =>
      this.#perform({ operation, method: 'POST', path: '/api/v1/actions/saveConfiguration', headers: this.#hGetJson, expect: Expect.Json, empty: Empty.Object, signal }),
    );
  }

  // ---- files --------------------------------------------------------------

  uploadFile(fileType: FileType, body: UploadBody, opts?: UploadOptions): Promise<ApiResponse<DescriptionBody>> {
    const operation = typeof fileType === 'string' && fileType.length <= 40 ? `upload ${fileType}` : 'upload';
    return this.#guard(operation, async () => {
      const type = checkFileType(fileType, 'fileType', operation);
      const o = checkUploadOptions(opts, operation);
      const upload = await prepareUpload(body, {
        multipart: o.multipart ?? this.#multipart,
        defaultFilename: `${type.replace('/', '-')}.bin`,
        operation,
        property: 'body',
        signal: o.signal,
        ...(o.filenameProperty !== undefined ? { filenameProperty: o.filenameProperty } : {}),
      });
      return this.#perform(
        { operation, method: 'PUT', path: `/api/v1/files/${type}`, headers: this.#hGetJson, expect: Expect.Json, empty: Empty.Object, signal: o.signal },
        upload,
        o.onProgress,
      );
    });
  }

  downloadFile(fileType: DownloadFileType, signal?: AbortSignal): Promise<ApiResponse<string>> {
    const operation = typeof fileType === 'string' && fileType.length <= 40 ? `download ${fileType}` : 'download';
    return this.#guard(operation, () => {
      const type = checkDownloadFileType(fileType, 'fileType', operation);
      return this.#perform({ operation, method: 'GET', path: `/api/v1/files/${type}`, headers: this.#hGetFile, expect: Expect.Text, empty: Empty.String, signal });
    });
  }

  runCliScript(script: string, signal?: AbortSignal): Promise<ApiResponse<CliResult>> {
    const operation = 'run CLI script';
    return this.#guard(operation, async () => {
      if (typeof script !== 'string' || script.trim() === '') throw new MediantInputError('script', 'a non-empty string', script, operation);
      const upload = await prepareUpload(script, { multipart: this.#multipart, defaultFilename: 'cliScript-incremental.txt', operation, property: 'script', signal });
      return this.#perform(
        { operation, method: 'PUT', path: '/api/v1/files/cliScript/incremental', headers: this.#hGetJson, expect: Expect.Json, empty: Empty.Object, signal },
        upload,
      );
    });
  }

  // ---- alarms -------------------------------------------------------------

  getAlarmPage(type: AlarmType, query?: AlarmPageQuery, signal?: AbortSignal): Promise<ApiResponse<AlarmPage | null>> {
    const operation = type === 'active' || type === 'history' ? `read ${type} alarms` : 'read alarms';
    return this.#guard(operation, async () => {
      const t = checkAlarmType(type, 'alarmType', operation);
      const qs = alarmQuery(query, operation);
      const res = await this.#perform<AlarmPage | null>({
        operation,
        method: 'GET',
        path: `/api/v1/alarms/${t}${qs}`,
        headers: this.#hGetJson,
        expect: Expect.Json,
        empty: Empty.Null,
        signal,
      });
      if (res.body !== null) res.body = checkAlarmPage(res.body, operation);
      return res;
    });
  }

  async *iterateAlarms(type: AlarmType, opts?: AlarmIterateOptions): AsyncIterableIterator<AlarmSummary> {
    const operation = type === 'active' || type === 'history' ? `read ${type} alarms` : 'read alarms';
    let after: string | undefined;
    let limit: number | undefined;
    let maxPages = DEFAULT_MAX_ALARM_PAGES;
    let signal: AbortSignal | undefined;
    try {
      checkAlarmType(type, 'alarmType', operation);
      if (opts !== undefined && (opts === null || typeof opts !== 'object')) throw new MediantInputError('options', 'an object', opts, operation);
      if (opts?.limit !== undefined) limit = checkLimit(opts.limit, 'limit', operation);
      if (opts?.after !== undefined) after = checkCursor(opts.after, 'after', operation);
      if (opts?.maxPages !== undefined) maxPages = checkInteger(opts.maxPages, 'maxPages', 1, Number.MAX_SAFE_INTEGER, operation);
      signal = checkSignal(opts?.signal, operation);
    } catch (e) {
      throw mapError(e, this.#ctx(operation));
    }
    if (after === '-1') return;
    const seen = new Set<string>();
    if (after !== undefined) seen.add(after);
    for (let pages = 0; ; pages++) {
      if (pages >= maxPages) {
        throw new MediantResponseError(operation, `the device sent more than ${maxPages} pages of alarms; stopped there`);
      }
      const q: AlarmPageQuery = {};
      if (limit !== undefined) q.limit = limit;
      if (after !== undefined) q.after = after;
      const res = await this.getAlarmPage(type, q, signal);
      const page = res.body;
      if (page === null) return;
      for (const a of page.alarms) yield a;
      const next = page.cursor.after;
      if (next === '-1') return;
      if (seen.has(next)) {
        throw new MediantResponseError(operation, `the device's "after" cursor did not advance (${next}); stopped to avoid a loop`);
      }
      seen.add(next);
      after = next;
    }
  }

  getAlarm(type: AlarmType, id: string, signal?: AbortSignal): Promise<ApiResponse<AlarmDetails>> {
    const operation = 'read alarm';
    return this.#guard(operation, () => {
      const t = checkAlarmType(type, 'alarmType', operation);
      const alarmId = checkAlarmId(id, 'alarm id', operation);
      return this.#perform({ operation, method: 'GET', path: `/api/v1/alarms/${t}/${alarmId}`, headers: this.#hGetJson, expect: Expect.Json, empty: Empty.Object, signal });
    });
  }

  // ---- status -------------------------------------------------------------

  getStatus(signal?: AbortSignal): Promise<ApiResponse<DeviceStatus>> {
    return this.#getJson('status', '/api/v1/status', signal);
  }

  // ---- performance monitoring ---------------------------------------------
  // The document's PM examples say `/api/v1/alarms/performanceMonitoring/...`:
  // a typo. The navigation tree (section 4) and section 9's own URL put PMs
  // at `/api/v1/performanceMonitoring`, which is what we use.

  listPms(signal?: AbortSignal): Promise<ApiResponse<PmList>> {
    return this.#getJson('read PM list', '/api/v1/performanceMonitoring', signal);
  }

  getPmDiscovery(pm: string, signal?: AbortSignal): Promise<ApiResponse<PmDiscovery>> {
    const operation = 'read PM';
    return this.#guard(operation, () => {
      const name = checkPmName(pm, 'pm', operation);
      return this.#perform({ operation, method: 'GET', path: `/api/v1/performanceMonitoring/${name}`, headers: this.#hGetJson, expect: Expect.Json, empty: Empty.Object, signal });
    });
  }

  getPmValue(pm: string, query: PmQuery, signal?: AbortSignal): Promise<ApiResponse<PmValue>> {
    const operation = 'read PM';
    return this.#guard(operation, () => {
      const name = checkPmName(pm, 'pm', operation);
      if (!query || typeof query !== 'object') throw new MediantInputError('PM query', 'an object with index (and interval)', query, operation);
      const index = checkPmIndex(query.index, 'index', operation);
      const interval = query.interval === undefined ? '' : `&interval=${checkPmInterval(query.interval, 'interval', operation)}`;
      return this.#perform({
        operation,
        method: 'GET',
        path: `/api/v1/performanceMonitoring/${name}?index=${index}${interval}`,
        headers: this.#hGetJson,
        expect: Expect.Json,
        empty: Empty.Object,
        signal,
      });
    });
  }

  /**
   * Every index of a PM (index `all`): the discovery, then one value per
   * listed index, in order. Bounded: a discovery listing more than
   * `maxIndexes` indexes is refused before any value is read, and reading
   * stops once the values come to more than the response cap.
   */
  getPmValues(pm: string, query?: PmValuesQuery, signal?: AbortSignal): Promise<ApiResponse<PmValue[]>> {
    const operation = 'read PM';
    return this.#guard(operation, async () => {
      const name = checkPmName(pm, 'pm', operation);
      if (query !== undefined && (query === null || typeof query !== 'object')) throw new MediantInputError('PM query', 'an object { interval?, maxIndexes? }', query, operation);
      const interval = query?.interval === undefined ? undefined : checkPmInterval(query.interval, 'interval', operation);
      const maxIndexes = query?.maxIndexes === undefined ? DEFAULT_MAX_PM_INDEXES : checkInteger(query.maxIndexes, 'maxIndexes', 1, 1_000_000, operation);
      const discovery = await this.getPmDiscovery(name, signal);
      const listed: unknown = discovery.body?.indexes;
      if (!Array.isArray(listed)) throw new MediantResponseError(operation, `the discovery of ${name} has no "indexes" list`);
      if (listed.length > maxIndexes) {
        throw new MediantResponseError(operation, `the device listed ${listed.length} indexes for ${name}, more than the ${maxIndexes} read at most`);
      }
      for (const i of listed) {
        if (typeof i !== 'number' || !Number.isSafeInteger(i) || i < 0) throw new MediantResponseError(operation, `the discovery of ${name} lists an index that is not an integer >= 0`);
      }
      const values: PmValue[] = [];
      let bytes = 0;
      let last: ApiResponse<unknown> = discovery;
      for (const index of listed as number[]) {
        const r = await this.getPmValue(name, interval === undefined ? { index } : { index, interval }, signal);
        bytes += Buffer.byteLength(JSON.stringify(r.body) ?? '');
        if (bytes > this.#maxBytes) {
          throw new MediantResponseError(operation, `the values of ${name} came to more than ${formatBytes(this.#maxBytes)} after ${values.length + 1} of ${listed.length} indexes`);
        }
        values.push(r.body);
        last = r;
      }
      return { statusCode: last.statusCode, body: values, headers: last.headers };
    });
  }

  // ---- license ------------------------------------------------------------

  getLicense(signal?: AbortSignal): Promise<ApiResponse<LicenseInfo>> {
    return this.#getJson('read license', '/api/v1/license', signal);
  }

  putLicense(key: LicenseKey, signal?: AbortSignal): Promise<ApiResponse<DescriptionBody>> {
    const operation = 'put license';
    return this.#guard(operation, () => {
      const body = JSON.stringify(checkLicenseKey(key, operation));
      return this.#perform({ operation, method: 'PUT', path: '/api/v1/license', headers: this.#hSendJson, body, expect: Expect.Json, empty: Empty.Object, signal });
    });
  }

  putLicenseFile(body: UploadBody, opts?: UploadOptions): Promise<ApiResponse<DescriptionBody>> {
    const operation = 'put license';
    return this.#guard(operation, async () => {
      const o = checkUploadOptions(opts, operation);
      const upload = await prepareUpload(body, { multipart: o.multipart ?? this.#multipart, defaultFilename: 'license.txt', operation, property: 'body', signal: o.signal });
      return this.#perform(
        { operation, method: 'PUT', path: '/api/v1/license', headers: this.#hGetJson, expect: Expect.Json, empty: Empty.Object, signal: o.signal },
        upload,
        o.onProgress,
      );
    });
  }

  // ---- generic ------------------------------------------------------------

  request(req: GenericRequest): Promise<ApiResponse<unknown>> {
    const operation = req && typeof req === 'object' ? checkOperationName(req.operation) : 'request';
    return this.#guard(operation, async () => {
      if (!req || typeof req !== 'object') throw new MediantInputError('request', 'an object with method and path', req, operation);
      const method = checkMethod(req.method, 'method', operation);
      const path = checkApiPath(req.path, 'path', operation);
      const signal = checkSignal(req.signal, operation);
      const accept = req.accept === undefined ? undefined : checkAccept(req.accept, operation);
      const call: Call = { operation, method, path, headers: this.#hGetAny, expect: Expect.Auto, empty: Empty.Null, signal };
      if (accept !== undefined) call.headers = ['authorization', this.#auth, 'accept', accept];
      const b = req.body;
      const fileProperty = typeof req.fileProperty === 'string' && req.fileProperty.length <= 60 ? req.fileProperty : 'file';
      let res: ApiResponse<unknown>;
      if (req.file !== undefined && req.file !== null) {
        // A file on disk is sent only when asked for by name, never because a body looks like { path }.
        if (method === 'GET' || method === 'DELETE') throw new MediantInputError(fileProperty, `nothing for a ${method} request`, new PathValue(String(req.file)), operation);
        if (b !== undefined && b !== null) throw new MediantInputError('body', 'nothing when a file is sent', b, operation);
        const upload = await prepareUpload({ path: req.file }, { multipart: false, defaultFilename: 'body.bin', operation, property: fileProperty, filenameProperty: fileProperty, signal });
        res = await this.#perform(call, upload);
      } else if (b === undefined || b === null) {
        res = await this.#perform(call);
      } else {
        if (method === 'GET') throw new MediantInputError('body', 'nothing for a GET request', b, operation);
        if (Buffer.isBuffer(b) || typeof b === 'string' || b instanceof Uint8Array || isReadable(b)) {
          const upload = await prepareUpload(b, { multipart: false, defaultFilename: 'body.bin', operation, property: 'body', signal });
          res = await this.#perform(call, upload);
        } else {
          // Objects and arrays go as JSON, always: `{ "path": "/etc/passwd" }` is data, not a file to send.
          let json: string | undefined;
          try {
            json = JSON.stringify(b);
          } catch {
            json = undefined;
          }
          if (json === undefined) throw new MediantInputError('body', 'a value that can be sent as JSON', b, operation);
          call.headers = accept === undefined ? this.#hSendAny : ['authorization', this.#auth, 'accept', accept, 'content-type', 'application/json'];
          call.body = json;
          res = await this.#perform(call);
        }
      }
      // The answer's headers go to the caller as they are, less any echo of the credentials.
      res.headers = redactHeaders(res.headers, this.#where.redact);
      return res;
    });
  }

  /** The text with this client's credentials (password, its Basic token) cut out: for texts from the device. */
  redact(text: string): string {
    return this.#where.redact(text);
  }

  // ---- lifecycle ----------------------------------------------------------

  close(): Promise<void> {
    if (!this.#closing) this.#closing = this.#pool.close().catch(() => undefined);
    return this.#closing;
  }

  destroy(): Promise<void> {
    const p = this.#pool.destroyed ? Promise.resolve() : this.#pool.destroy().catch(() => undefined);
    this.#closing ??= p;
    return p;
  }

  // ---- internals ----------------------------------------------------------

  #ctx(operation: string): MapContext {
    return ctxOf(this.#where, operation);
  }

  /** Runs `fn` and makes sure whatever it rejects with is a MediantError. */
  async #guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw mapError(e, this.#ctx(operation));
    }
  }

  #getJson<T>(operation: string, path: string, signal?: AbortSignal): Promise<ApiResponse<T>> {
    return this.#guard(operation, () =>
      this.#perform<T>({ operation, method: 'GET', path, headers: this.#hGetJson, expect: Expect.Json, empty: Empty.Object, signal: checkSignal(signal, operation) }),
    );
  }

  /**
   * Sends the call (again on 409 while the conflict budget lasts) and reads
   * the answer. A Readable body cannot be re-sent, so it is never retried.
   */
  async #perform<T>(call: Call, upload?: PreparedUpload, onProgress?: UploadOptions['onProgress']): Promise<ApiResponse<T>> {
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
          raw = await this.#send(call, { opened, tracker });
        } finally {
          opened.dispose();
        }
      } else {
        raw = await this.#send(call);
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
    if (statusCode >= 300) throw new MediantHttpError(call.operation, statusCode, deviceDescription(headers, body, this.#where.redact));
    let out: unknown;
    if (statusCode === 204 || body.length === 0) {
      out = call.empty === Empty.Object ? {} : call.empty === Empty.Null ? null : '';
    } else if (call.expect === Expect.Json) {
      out = parseJson(body, mediaType(headers), call.operation, true);
    } else if (call.expect === Expect.Text) {
      out = body.toString('utf8');
    } else {
      const type = mediaType(headers);
      if (type === 'application/json' || type.endsWith('+json')) out = parseJson(body, type, call.operation, false);
      else if (type.startsWith('text/')) out = body.toString('utf8');
      else out = body;
    }
    return { statusCode, body: out as T, headers };
  }
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
class Exchange implements Dispatcher.DispatchHandler {
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
    const opts: Dispatcher.DispatchOptions = { path: call.path, method: call.method, headers: call.headers };
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
    if (declared > this.where.maxBytes) {
      this.#fail(this.#tooLarge()); // aborts the connection: nothing more is read
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return;
    this.#size += chunk.length;
    if (this.#size > this.where.maxBytes) {
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

  #tooLarge(): MediantResponseError {
    return new MediantResponseError(this.call.operation, `response larger than ${formatBytes(this.where.maxBytes)}`, this.#statusCode || undefined);
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

// ---- helpers ---------------------------------------------------------------

function noop(): void {
  /* replaced by the exchange */
}

async function* markDone(body: AsyncIterable<Buffer>, tracker: Upload['tracker']): AsyncIterable<Buffer> {
  yield* body;
  tracker.done = true;
  tracker.touch();
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

function checkSignal(signal: unknown, operation: string): AbortSignal | undefined {
  if (signal === undefined || signal === null) return undefined;
  if (signal instanceof AbortSignal) {
    if (signal.aborted) throw new MediantAbortError(operation);
    return signal;
  }
  throw new MediantInputError('signal', 'an AbortSignal', signal, operation);
}

function checkUploadOptions(opts: UploadOptions | undefined, operation: string): UploadOptions {
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

/** Media ranges for an Accept header: `type/subtype` with parameters, comma-separated; nothing else. */
const ACCEPT_HEADER = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+\/[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*;\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+=[A-Za-z0-9.!#$%&'*+^_`|~-]+)*(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+\/[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*;\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+=[A-Za-z0-9.!#$%&'*+^_`|~-]+)*)*$/;

function checkAccept(v: unknown, operation: string): string {
  if (typeof v === 'string' && v.length <= 200 && ACCEPT_HEADER.test(v)) return v;
  throw new MediantInputError('accept', 'media types such as application/json', v, operation);
}

function checkOperationName(v: unknown): string {
  // eslint-disable-next-line no-control-regex
  if (typeof v === 'string' && v.length > 0 && v.length <= 80 && !/[\u0000-\u001f\u007f]/.test(v)) return v;
  return 'request';
}

function checkLicenseKey(key: unknown, operation: string): LicenseKey {
  if (!key || typeof key !== 'object' || Array.isArray(key) || Buffer.isBuffer(key)) {
    throw new MediantInputError('license', 'an object { licenseVersion, serialNumber?, key }', key, operation);
  }
  const k = key as Record<string, unknown>;
  const licenseVersion = checkInteger(k.licenseVersion, 'licenseVersion', 1, Number.MAX_SAFE_INTEGER, operation);
  if (typeof k.key !== 'string' || k.key.trim() === '' || k.key.length > 65536) {
    throw new MediantInputError('key', 'a non-empty license key string', k.key, operation);
  }
  const out: LicenseKey = { licenseVersion, key: k.key };
  if (k.serialNumber !== undefined && k.serialNumber !== null && k.serialNumber !== '') {
    if (typeof k.serialNumber !== 'string' || k.serialNumber.length > 64) {
      throw new MediantInputError('serialNumber', 'a serial number string', k.serialNumber, operation);
    }
    out.serialNumber = k.serialNumber;
  }
  return out;
}

function alarmQuery(query: AlarmPageQuery | undefined, operation: string): string {
  if (query === undefined || query === null) return '';
  if (typeof query !== 'object') throw new MediantInputError('alarm page query', 'an object { limit?, after?, before? }', query, operation);
  let qs = '';
  if (query.limit !== undefined) qs += `&limit=${checkLimit(query.limit, 'limit', operation)}`;
  if (query.after !== undefined) qs += `&after=${checkCursor(query.after, 'after', operation)}`;
  if (query.before !== undefined) qs += `&before=${checkCursor(query.before, 'before', operation)}`;
  return qs === '' ? '' : `?${qs.slice(1)}`;
}

/** An alarm page must hold an `alarms` list; a missing cursor means "no more" (-1). */
function checkAlarmPage(body: unknown, operation: string): AlarmPage {
  const page = body as AlarmPage;
  if (!Array.isArray(page.alarms)) throw new MediantResponseError(operation, 'alarm page without an "alarms" list');
  const c = (page.cursor ?? {}) as unknown as Record<string, unknown>;
  page.cursor = { after: deviceCursor(c.after, operation), before: deviceCursor(c.before, operation) };
  return page;
}

function deviceCursor(v: unknown, operation: string): string {
  if (v === undefined || v === null || v === '') return '-1';
  try {
    return checkCursor(v, 'cursor', operation);
  } catch {
    throw new MediantResponseError(operation, 'the device sent a cursor that is not a number');
  }
}

function mediaType(headers: IncomingHttpHeaders): string {
  const ct = headers['content-type'];
  const v = Array.isArray(ct) ? ct[0] : ct;
  if (!v) return '';
  const semi = v.indexOf(';');
  return (semi < 0 ? v : v.slice(0, semi)).trim().toLowerCase();
}

/** True when no object or array in the JSON text nests deeper than `max`: a linear scan, no recursion. */
function withinDepth(b: Buffer, max: number): boolean {
  if (b.length <= max * 2) return true; // too short to nest that deep
  let depth = 0;
  let inString = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (inString) {
      if (c === 0x5c /* \\ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return true;
}

/**
 * The one JSON parser for what a device sends: refuses nesting deeper than
 * MAX_JSON_DEPTH (a clear `bad response` here, rather than a stack overflow
 * later, when Node-RED copies the message), tolerates a byte-order mark.
 */
function parseDeviceJson(body: Buffer, operation: string): unknown {
  if (!withinDepth(body, MAX_JSON_DEPTH)) throw new MediantResponseError(operation, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    const text = body.toString('utf8');
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  } catch {
    throw new MediantResponseError(operation, 'malformed JSON');
  }
}

function parseJson(body: Buffer, type: string, operation: string, objectOnly: boolean): unknown {
  if (type === 'text/html' || (type === '' && body[0] === 0x3c /* < */)) {
    throw new MediantResponseError(operation, `expected JSON, got ${type || 'HTML'}`);
  }
  const value = parseDeviceJson(body, operation);
  if (objectOnly && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw new MediantResponseError(operation, 'expected a JSON object');
  }
  return value;
}

/** The device's own `description` from a JSON error body, without any credential; nothing from HTML or anything else. */
function deviceDescription(headers: IncomingHttpHeaders, body: Buffer, redact: Redact): string | undefined {
  if (body.length === 0 || body.length > 64 * 1024) return undefined;
  const type = mediaType(headers);
  const looksJson = type === 'application/json' || type.endsWith('+json') || (type === '' && body[0] === 0x7b /* { */);
  if (!looksJson) return undefined;
  try {
    const v = parseDeviceJson(body, 'error') as { description?: unknown } | null;
    if (v && typeof v.description === 'string') {
      // eslint-disable-next-line no-control-regex
      const d = redact(v.description.replace(/[\u0000-\u001f\u007f]+/g, ' ')).replace(/\s+/g, ' ').trim();
      return d === '' ? undefined : d.length > 300 ? `${d.slice(0, 300)}…` : d;
    }
  } catch {
    // not JSON after all: the status alone says it
  }
  return undefined;
}

/** Response headers with any credential the device echoed cut out of their values. */
function redactHeaders(headers: ApiResponse<unknown>['headers'], redact: Redact): ApiResponse<unknown>['headers'] {
  const out: ApiResponse<unknown>['headers'] = {};
  for (const [k, v] of Object.entries(headers)) {
    out[k] = typeof v === 'string' ? redact(v) : Array.isArray(v) ? v.map((x) => redact(x)) : v;
  }
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
