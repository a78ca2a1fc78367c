/**
 * Firmware 7.4's administrative additions: the Web single sign-on token
 * (POST /actions/authToken), the TLS files (/files/tls), and the debug file
 * (POST /files/create/debugFile, then GET /files/debugFile).
 *
 * Unknown in the sources ([?] in the 7.x notes), handled so that a device
 * doing either is read right: /files/tls may answer JSON or text (one client
 * reads `files` or the raw body); the debug file, while the device makes it,
 * may answer 200 with an empty body (one client polls "until a non-empty
 * 200"), which is "not ready", never an empty file.
 */
import { MediantInputError, MediantTimeoutError } from '../errors';
import { prepareUpload } from '../body';
import { checkSignal, checkUploadOptions, sleep, type Transport } from '../transport';
import { checkAuthTokenRequest, checkBoolean, checkInteger, checkTlsContext } from '../validate';
import type {
  ApiResponse,
  AuthTokenRequest,
  AuthTokenResult,
  DebugFileCreated,
  DebugFileFetchOptions,
  DebugFileOptions,
  DescriptionBody,
  TlsDownloadKind,
  TlsFileKind,
  TlsFileList,
  UploadBody,
  UploadOptions,
} from '../types';

const ACCEPT_BYTES = 'application/octet-stream, */*;q=0.8';
const DEFAULT_DEBUG_POLL_MS = 2000;
const DEFAULT_DEBUG_WAIT_MS = 5 * 60 * 1000;

export function createAuthToken(t: Transport, req: AuthTokenRequest, signal?: AbortSignal): Promise<ApiResponse<AuthTokenResult>> {
  const operation = 'create auth token';
  return t.guard(operation, () => {
    const body = JSON.stringify(checkAuthTokenRequest(req, operation));
    return t.perform<AuthTokenResult>({ operation, method: 'POST', path: '/api/v1/actions/authToken', headers: t.h.sendJson, body, expect: 'json', empty: 'object', signal: checkSignal(signal, operation) });
  });
}

// ---- TLS files --------------------------------------------------------------

const TLS_DOWNLOADS: readonly TlsDownloadKind[] = ['certificate', 'trustedRoot'];
const TLS_KINDS: readonly TlsFileKind[] = ['certificate', 'privateKey', 'trustedRoot'];

function checkTlsKind<K extends string>(v: unknown, list: readonly K[], operation: string): K {
  if (typeof v === 'string' && (list as readonly string[]).includes(v)) return v as K;
  throw new MediantInputError('kind', `one of ${list.join(', ')}`, v, operation);
}

export function listTlsFiles(t: Transport, context?: string | number, signal?: AbortSignal): Promise<ApiResponse<TlsFileList | string>> {
  const operation = 'read TLS files';
  return t.guard(operation, async () => {
    const path = context === undefined || context === null || context === '' ? '/api/v1/files/tls' : `/api/v1/files/tls/${checkTlsContext(context, 'context', operation)}`;
    const res = await t.perform<unknown>({ operation, method: 'GET', path, headers: t.h.getAny, expect: 'auto', empty: 'object', signal: checkSignal(signal, operation) });
    const b = res.body;
    // JSON (an object), or the device's text; bytes are read as UTF-8 text
    const body: TlsFileList | string = Buffer.isBuffer(b) ? b.toString('utf8') : typeof b === 'string' ? b : b !== null && typeof b === 'object' && !Array.isArray(b) ? (b as TlsFileList) : { files: Array.isArray(b) ? (b as TlsFileList['files']) : [] };
    return { ...res, body };
  });
}

export function downloadTlsFile(t: Transport, context: string | number, kind: TlsDownloadKind, signal?: AbortSignal): Promise<ApiResponse<string>> {
  const operation = 'download TLS file';
  return t.guard(operation, () => {
    const ctx = checkTlsContext(context, 'context', operation);
    const k = checkTlsKind(kind, TLS_DOWNLOADS, operation);
    return t.perform<string>({ operation, method: 'GET', path: `/api/v1/files/tls/${ctx}/${k}`, headers: t.h.getFile, expect: 'text', empty: 'string', signal: checkSignal(signal, operation) });
  });
}

export function uploadTlsFile(t: Transport, context: string | number, kind: TlsFileKind, body: UploadBody, opts?: UploadOptions): Promise<ApiResponse<DescriptionBody>> {
  const operation = 'upload TLS file';
  return t.guard(operation, async () => {
    const ctx = checkTlsContext(context, 'context', operation);
    const k = checkTlsKind(kind, TLS_KINDS, operation);
    const o = checkUploadOptions(opts, operation);
    const upload = await prepareUpload(body, {
      multipart: o.multipart ?? false,
      defaultFilename: `tls-${ctx}-${k}.pem`,
      operation,
      property: 'body',
      signal: o.signal,
      ...(o.filenameProperty !== undefined ? { filenameProperty: o.filenameProperty } : {}),
    });
    if (o.multipart === undefined) upload.multipart = await t.multipartFor(operation, o.signal);
    return t.perform<DescriptionBody>(
      { operation, method: 'PUT', path: `/api/v1/files/tls/${ctx}/${k}`, headers: t.h.getJson, expect: 'json', empty: 'object', signal: o.signal },
      upload,
      o.onProgress,
    );
  });
}

// ---- debug file ---------------------------------------------------------------

export function createDebugFile(t: Transport, opts?: { attachCoreDump?: boolean }, signal?: AbortSignal): Promise<ApiResponse<DebugFileCreated>> {
  const operation = 'create debug file';
  return t.guard(operation, async () => {
    if (opts !== undefined && opts !== null && typeof opts !== 'object') throw new MediantInputError('options', 'an object { attachCoreDump? }', opts, operation);
    const req: { attachCoreDump?: boolean } = {};
    if (opts?.attachCoreDump !== undefined) req.attachCoreDump = checkBoolean(opts.attachCoreDump, 'attachCoreDump', operation);
    const res = await t.perform<DebugFileCreated>({
      operation,
      method: 'POST',
      path: '/api/v1/files/create/debugFile',
      headers: t.h.sendJson,
      body: JSON.stringify(req),
      expect: 'json',
      empty: 'object',
      signal: checkSignal(signal, operation),
    });
    const id: unknown = res.body.transactionId;
    if (typeof id === 'number' && Number.isFinite(id)) res.body.transactionId = String(id);
    else if (id !== undefined && typeof id !== 'string') delete res.body.transactionId;
    return res;
  });
}

function checkDebugOptions(opts: unknown, operation: string): { maxBytes?: number; signal?: AbortSignal } {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object') throw new MediantInputError('options', 'an object', opts, operation);
  const o = opts as DebugFileOptions;
  const out: { maxBytes?: number; signal?: AbortSignal } = {};
  if (o.maxBytes !== undefined) out.maxBytes = checkInteger(o.maxBytes, 'maxBytes', 1, 2 ** 31 - 1, operation);
  const signal = checkSignal(o.signal, operation);
  if (signal) out.signal = signal;
  return out;
}

export function downloadDebugFile(t: Transport, opts?: DebugFileOptions): Promise<ApiResponse<Buffer | null>> {
  const operation = 'download debug file';
  return t.guard(operation, () => {
    const o = checkDebugOptions(opts, operation);
    return t.perform<Buffer | null>({
      operation,
      method: 'GET',
      path: '/api/v1/files/debugFile',
      headers: t.headers(ACCEPT_BYTES),
      // an empty 200 (or a 204) is "not made yet": null, never an empty file
      expect: 'bytes',
      empty: 'null',
      signal: o.signal,
      ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
    });
  });
}

export function fetchDebugFile(t: Transport, opts?: DebugFileFetchOptions): Promise<ApiResponse<Buffer>> {
  const operation = 'fetch debug file';
  return t.guard(operation, async () => {
    const o = checkDebugOptions(opts, operation);
    const f = (opts ?? {}) as DebugFileFetchOptions;
    const pollMs = f.pollIntervalMs === undefined ? DEFAULT_DEBUG_POLL_MS : checkInteger(f.pollIntervalMs, 'pollIntervalMs', 100, 60_000, operation);
    const waitMs = f.maxWaitMs === undefined ? DEFAULT_DEBUG_WAIT_MS : checkInteger(f.maxWaitMs, 'maxWaitMs', 1, 2 ** 31 - 1, operation);
    const create: { attachCoreDump?: boolean } = {};
    if (f.attachCoreDump !== undefined) create.attachCoreDump = checkBoolean(f.attachCoreDump, 'attachCoreDump', operation);
    await createDebugFile(t, create, o.signal);
    const until = Date.now() + waitMs;
    for (;;) {
      const left = until - Date.now();
      if (left <= 0) throw new MediantTimeoutError(operation, t.target, waitMs, 'debug file', 'the device was still making it');
      await sleep(Math.min(pollMs, left), o.signal, operation);
      const res = await downloadDebugFile(t, o);
      if (res.body !== null) return { ...res, body: res.body };
    }
  });
}
