/**
 * Checks for every value that goes into a URL, a request body or the client's
 * own settings. Each check either returns the value in the form the client
 * sends, or throws a MediantInputError naming the property and what it
 * expects, BEFORE any request exists. The nodes reuse these with their own
 * property names (`msg.index`, ...), so each takes `property` as a parameter.
 *
 * The rule everywhere is an allow-list: a value is accepted only when it is
 * made of what the vendor document allows, so nothing can reach another
 * endpoint (`../actions/reset` as an alarm id is refused, not encoded).
 */
import { isIP } from 'node:net';
import { MediantInputError, Hidden, ShownAs } from './errors';
import {
  FILE_TYPES,
  DOWNLOAD_FILE_TYPES,
  type AlarmType,
  type AuthTokenLevel,
  type AuthTokenRequest,
  type TestCallDial,
  type TransportType,
  type DownloadFileType,
  type FileType,
  type HttpMethod,
  type ResetOptions,
} from './types';

export const ALARM_TYPES: readonly AlarmType[] = ['active', 'history'];
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'PUT', 'POST', 'DELETE'];
export const PM_INTERVALS: readonly number[] = [0, 1, 2];

/** Alarm page size accepted by the client (the device may send fewer). */
export const MAX_ALARM_LIMIT = 1000;
/** Longest alarm id / cursor accepted (decimal digits). */
const MAX_ID_DIGITS = 20;
/** Longest PM name accepted. */
const MAX_PM_NAME = 64;
/** Longest generic path (with its query) accepted. */
const MAX_PATH = 2048;

const DIGITS = /^[0-9]+$/;
const PM_NAME = /^[A-Za-z0-9_]{1,64}$/;
/** Unreserved characters (RFC 3986) plus `/`: all a path part may contain. */
const SAFE_PATH = /^[A-Za-z0-9._~/-]*$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const HOST_NAME = /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

function oneOf<T extends string>(list: readonly T[]): string {
  return `one of ${list.join(', ')}`;
}

export function checkFileType(v: unknown, property = 'fileType', operation?: string): FileType {
  if (typeof v === 'string' && (FILE_TYPES as readonly string[]).includes(v)) return v as FileType;
  throw new MediantInputError(property, oneOf(FILE_TYPES), v, operation);
}

export function checkDownloadFileType(v: unknown, property = 'fileType', operation?: string): DownloadFileType {
  if (typeof v === 'string' && (DOWNLOAD_FILE_TYPES as readonly string[]).includes(v)) return v as DownloadFileType;
  throw new MediantInputError(property, oneOf(DOWNLOAD_FILE_TYPES), v, operation);
}

export function checkAlarmType(v: unknown, property = 'alarmType', operation?: string): AlarmType {
  if (v === 'active' || v === 'history') return v;
  throw new MediantInputError(property, oneOf(ALARM_TYPES), v, operation);
}

export function checkMethod(v: unknown, property = 'method', operation?: string): HttpMethod {
  if (typeof v === 'string' && (HTTP_METHODS as readonly string[]).includes(v)) return v as HttpMethod;
  throw new MediantInputError(property, oneOf(HTTP_METHODS), v, operation);
}

/** A non-negative integer given as a number or as a string of decimal digits. */
function asNonNegativeInteger(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v === 'string' && v.length <= 16 && DIGITS.test(v)) return Number(v);
  return undefined;
}

/** An alarm id: decimal digits (ids count up from 1 since the last reboot). Numbers are accepted. */
export function checkAlarmId(v: unknown, property = 'alarm id', operation?: string): string {
  if (typeof v === 'string' && v.length <= MAX_ID_DIGITS && DIGITS.test(v)) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  throw new MediantInputError(property, 'decimal digits (an alarm id)', v, operation);
}

/** An alarm page cursor: decimal digits, or "-1" (no more alarms). */
export function checkCursor(v: unknown, property = 'cursor', operation?: string): string {
  if (v === '-1' || v === -1) return '-1';
  if (typeof v === 'string' && v.length <= MAX_ID_DIGITS && DIGITS.test(v)) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  throw new MediantInputError(property, 'a cursor made of decimal digits, or "-1"', v, operation);
}

export function checkLimit(v: unknown, property = 'limit', operation?: string): number {
  const n = asNonNegativeInteger(v);
  if (n !== undefined && n >= 1 && n <= MAX_ALARM_LIMIT) return n;
  throw new MediantInputError(property, `an integer from 1 to ${MAX_ALARM_LIMIT}`, v, operation);
}

/** A PM name as the device lists it (SNMP names): letters, digits and `_`, up to 64. */
export function checkPmName(v: unknown, property = 'pm', operation?: string): string {
  if (typeof v === 'string' && PM_NAME.test(v)) return v;
  throw new MediantInputError(property, `a PM name of letters, digits and _ (up to ${MAX_PM_NAME})`, v, operation);
}

export function checkPmIndex(v: unknown, property = 'index', operation?: string): number {
  const n = asNonNegativeInteger(v);
  if (n !== undefined) return n;
  throw new MediantInputError(property, 'an integer >= 0', v, operation);
}

export function checkPmInterval(v: unknown, property = 'interval', operation?: string): number {
  const n = asNonNegativeInteger(v);
  if (n !== undefined && n <= 2) return n;
  throw new MediantInputError(property, '0 (current), 1 (last 15 min) or 2 (previous 15 min)', v, operation);
}

export function checkBoolean(v: unknown, property: string, operation?: string): boolean {
  if (typeof v === 'boolean') return v;
  throw new MediantInputError(property, 'true or false', v, operation);
}

/** An integer >= min, given as a number or a string of decimal digits. */
export function checkInteger(v: unknown, property: string, min = 0, max = Number.MAX_SAFE_INTEGER, operation?: string): number {
  const n = asNonNegativeInteger(v);
  if (n !== undefined && n >= min && n <= max) return n;
  const expected = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  throw new MediantInputError(property, expected, v, operation);
}

export function checkGracefulTimeout(v: unknown, property = 'gracefulTimeout', operation = 'reset'): number {
  return checkInteger(v, property, 0, Number.MAX_SAFE_INTEGER, operation);
}

/** The reset body: only the fields given, each checked. */
export function checkResetOptions(opts: unknown, operation = 'reset'): ResetOptions {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object' || Array.isArray(opts)) {
    throw new MediantInputError('reset options', 'an object', opts, operation);
  }
  const o = opts as Record<string, unknown>;
  const out: ResetOptions = {};
  if (o.saveConfiguration !== undefined) out.saveConfiguration = checkBoolean(o.saveConfiguration, 'saveConfiguration', operation);
  if (o.gracefulTimeout !== undefined) out.gracefulTimeout = checkGracefulTimeout(o.gracefulTimeout, 'gracefulTimeout', operation);
  return out;
}

/**
 * A path under /api/v1 for the generic request, with an optional query
 * string. Returns the full path to send (`/api/v1/...`).
 *
 * Accepted: `/alarms`, `alarms/active?limit=5`, `/` (the navigation tree), and
 * the same with a leading `/api/v1` (the navigation answers carry it).
 * Refused: `.`/`..` segments, `//`, a backslash, control characters, a scheme
 * or host, `%` (so no percent-encoded dot segment gets through) and anything
 * outside `[A-Za-z0-9._~/-]` in the path part, and a `#` fragment. The query's
 * names and values are decoded and re-encoded, so they cannot smuggle a
 * second query or path.
 */
export function checkApiPath(v: unknown, property = 'path', operation = 'request'): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_PATH) {
    throw new MediantInputError(property, `a path under /api/v1 (up to ${MAX_PATH} characters)`, v, operation);
  }
  const refuse = (why: string): never => {
    throw new MediantInputError(property, `a path under /api/v1 (${why})`, v, operation);
  };
  if (CONTROL.test(v)) refuse('no control characters');
  if (v.includes('#')) refuse('no # fragment');
  const q = v.indexOf('?');
  let path = q < 0 ? v : v.slice(0, q);
  const query = q < 0 ? '' : v.slice(q + 1);
  if (path.includes('\\')) refuse('no backslash');
  if (!SAFE_PATH.test(path)) refuse('only letters, digits and . _ ~ - / in the path');
  if (path.includes('//')) refuse('no empty segment or host');
  if (!path.startsWith('/')) path = `/${path}`;
  if (path === '/api/v1' || path.startsWith('/api/v1/')) path = path.slice('/api/v1'.length);
  for (const seg of path.split('/')) {
    if (seg === '.' || seg === '..') refuse('no . or .. segment');
  }
  const encoded = query === '' ? '' : `?${encodeQuery(query, refuse)}`;
  if (path === '/' || path === '') return `/api/v1${encoded}`;
  return `/api/v1${path}${encoded}`;
}

function encodeQuery(query: string, refuse: (why: string) => never): string {
  const out: string[] = [];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? undefined : pair.slice(eq + 1);
    let name: string;
    let value: string | undefined;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      value = rawValue === undefined ? undefined : decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      return refuse('a query string with valid percent-encoding');
    }
    if (name === '') refuse('no query parameter without a name');
    if (CONTROL.test(name) || (value !== undefined && CONTROL.test(value))) refuse('no control characters');
    out.push(value === undefined ? encodeURIComponent(name) : `${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  }
  return out.join('&');
}

/** Host name or IP address: no scheme, no path, no port. IPv6 may be given with or without brackets. */
export function checkHost(v: unknown, property = 'host'): string {
  if (typeof v === 'string') {
    const bare = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
    if (isIP(bare) === 6) return bare;
    if (isIP(bare) === 4 || (bare === v && HOST_NAME.test(v))) return v;
  }
  throw new MediantInputError(property, 'a host name or IP address (no scheme, no port, no path)', v);
}

export function checkPort(v: unknown, property = 'port'): number {
  return checkInteger(v, property, 1, 65535);
}

/** A positive number of milliseconds (timers accept up to 2^31-1). */
export function checkMs(v: unknown, property: string, min = 1): number {
  return checkInteger(v, property, min, 2 ** 31 - 1);
}

export function checkUsername(v: unknown, property = 'username'): string {
  if (typeof v === 'string' && v.length > 0 && !v.includes(':') && !CONTROL.test(v)) return v;
  // `user:password` typed into the user field: what follows the ":" is never shown.
  const colon = typeof v === 'string' ? v.indexOf(':') : -1;
  const shown = colon >= 0 ? new ShownAs(`${JSON.stringify((v as string).slice(0, Math.min(colon, 40)))} followed by ":" and more (not shown)`) : v;
  throw new MediantInputError(property, 'a non-empty user name without ":"', shown);
}

/** The password is never shown, not even when it is refused. */
export function checkPassword(v: unknown, property = 'password'): string {
  if (typeof v === 'string' && !CONTROL.test(v)) return v;
  throw new MediantInputError(property, 'a string without control characters', new Hidden(v));
}

// ---- firmware 7.4: KPI, SIP test call, auth token, TLS files, debug file ----

/** A KPI path segment (application, group, entity, index, KPI) or a KPI cursor: letters, digits, `_` and `-`. */
const KPI_SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
/** Segments below /kpi at most: current|history / app / group / entity / index / kpi, and room for two more. */
const MAX_KPI_SEGMENTS = 8;
export const KPI_SCOPES = ['current', 'history'] as const;

/**
 * A path in the KPI tree, as segments of letters, digits, `_` and `-`
 * joined by `/` (no `.`, `%`, `?` or empty segment, so nothing can leave
 * /kpi or add a parameter). A leading `/`, a trailing `/` and, where
 * `withPrefix`, the `/api/v1/kpi` of a listing's `url` are taken off.
 * Returns the segments joined by `/` ('' for the top).
 */
export function checkKpiPath(v: unknown, property = 'kpi', operation?: string, opts: { min?: number; max?: number; withPrefix?: boolean } = {}): string {
  const min = opts.min ?? 0;
  const max = opts.max ?? MAX_KPI_SEGMENTS;
  const expected = `a KPI path such as "sbc/callStats/global": ${min > 0 ? `${min} to ${max}` : `up to ${max}`} names of letters, digits, _ and - joined by /`;
  if (typeof v !== 'string' || v.length > 600) throw new MediantInputError(property, expected, v, operation);
  let p = v.trim();
  if (opts.withPrefix && (p === '/api/v1/kpi' || p.startsWith('/api/v1/kpi/'))) p = p.slice('/api/v1/kpi'.length);
  if (p.startsWith('/')) p = p.slice(1);
  if (p.endsWith('/')) p = p.slice(0, -1);
  const segments = p === '' ? [] : p.split('/');
  if (segments.length < min || segments.length > max || !segments.every((s) => KPI_SEGMENT.test(s))) throw new MediantInputError(property, expected, v, operation);
  return segments.join('/');
}

/** A KPI name (`kpi=`) or a listing's id given as a cursor (`after=`, `before=`): letters, digits, `_` and `-`. Numbers are taken as indexes. */
export function checkKpiName(v: unknown, property = 'kpi', operation?: string): string {
  if (typeof v === 'string' && KPI_SEGMENT.test(v)) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  throw new MediantInputError(property, 'a KPI name or id of letters, digits, _ and - (up to 64)', v, operation);
}

/** A history interval: its index (an integer >= 0), `last` or `all`. */
export function checkKpiInterval(v: unknown, property = 'interval', operation?: string): string {
  if (v === 'last' || v === 'all') return v;
  const n = asNonNegativeInteger(v);
  if (n !== undefined) return String(n);
  throw new MediantInputError(property, 'an interval index (an integer >= 0), "last" or "all"', v, operation);
}

/** A SIP test call's session id: decimal digits (the device sends a number). */
export function checkSessionId(v: unknown, property = 'sessionId', operation?: string): string {
  if (typeof v === 'string' && v.length <= MAX_ID_DIGITS && DIGITS.test(v)) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  throw new MediantInputError(property, 'a session id of decimal digits', v, operation);
}

/** A TLS context's index: decimal digits. */
export function checkTlsContext(v: unknown, property = 'context', operation?: string): string {
  const n = asNonNegativeInteger(v);
  if (n !== undefined && n <= 1_000_000) return String(n);
  throw new MediantInputError(property, 'a TLS context index (an integer >= 0)', v, operation);
}

/** An integer from `min` (may be negative) to `max`, given as a number or a string of digits. */
function checkSignedInteger(v: unknown, property: string, min: number, max: number, operation?: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?[0-9]{1,9}$/.test(v) ? Number(v) : NaN;
  if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
  throw new MediantInputError(property, `an integer from ${min} to ${max}`, v, operation);
}

function checkText(v: unknown, property: string, max: number, operation?: string): string {
  if (typeof v === 'string' && v.trim() !== '' && v.length <= max && !CONTROL.test(v)) return v;
  throw new MediantInputError(property, `a non-empty string of up to ${max} characters`, v, operation);
}

export const TEST_CALL_TRANSPORTS: readonly TransportType[] = ['UDP', 'TCP', 'TLS'];
const DIAL_FIELDS = ['calledNumber', 'callingNumber', 'destAddress', 'destIpGroup', 'outInterface', 'playDtmfString', 'playToneIndex', 'timeout', 'transportType'];
/** A host, an IP address or host:port, as the device takes a destination address. */
const DEST_ADDRESS = /^[A-Za-z0-9.:_[\]-]{1,50}$/;
const DTMF = /^[0-9*#A-Da-d]{1,16}$/;

/**
 * The body of POST /sipTestCall/dial, each field checked as the vendor's page
 * documents it: calledNumber and callingNumber (up to 61 characters), either
 * destAddress (a host, IP address or host:port, up to 50) or destIpGroup (an
 * IP group's index or name), outInterface (-1..65535, only with
 * destAddress), playDtmfString (up to 16 DTMF digits), playToneIndex
 * (-1..80), timeout (seconds, 1..86400), transportType (UDP, TCP or TLS).
 * Any other field is refused. `prefix` goes before each property name in an
 * error (`msg.`).
 */
export function checkTestCallDial(v: unknown, operation = 'dial test call', prefix = ''): TestCallDial {
  if (!v || typeof v !== 'object' || Array.isArray(v) || Buffer.isBuffer(v)) {
    throw new MediantInputError(prefix ? `${prefix}dial` : 'dial', 'an object { calledNumber, callingNumber, destAddress or destIpGroup, ... }', v, operation);
  }
  const o = v as Record<string, unknown>;
  const name = (k: string): string => `${prefix}${k}`;
  for (const k of Object.keys(o)) {
    if (!DIAL_FIELDS.includes(k) && o[k] !== undefined) throw new MediantInputError(name(k), `not a dial field (${DIAL_FIELDS.join(', ')})`, o[k], operation);
  }
  const given = (k: string): boolean => o[k] !== undefined && o[k] !== null && o[k] !== '';
  const out: TestCallDial = {
    calledNumber: checkText(o.calledNumber, name('calledNumber'), 61, operation),
    callingNumber: checkText(o.callingNumber, name('callingNumber'), 61, operation),
  };
  if (given('destAddress') && given('destIpGroup')) {
    throw new MediantInputError(name('destIpGroup'), 'nothing when destAddress is given (one destination)', o.destIpGroup, operation);
  }
  if (given('destAddress')) {
    const a = typeof o.destAddress === 'string' ? o.destAddress.trim() : o.destAddress;
    if (typeof a !== 'string' || !DEST_ADDRESS.test(a)) throw new MediantInputError(name('destAddress'), 'a host name, IP address or host:port (up to 50 characters)', o.destAddress, operation);
    out.destAddress = a;
  } else if (given('destIpGroup')) {
    const g = o.destIpGroup;
    if (typeof g === 'number' && Number.isSafeInteger(g) && g >= 0) out.destIpGroup = String(g);
    else out.destIpGroup = checkText(g, name('destIpGroup'), 50, operation);
  } else {
    throw new MediantInputError(name('destAddress'), 'a destination (or destIpGroup: an IP group index or name)', o.destAddress, operation);
  }
  if (given('outInterface')) {
    if (out.destAddress === undefined) throw new MediantInputError(name('outInterface'), 'nothing without destAddress', o.outInterface, operation);
    out.outInterface = checkSignedInteger(o.outInterface, name('outInterface'), -1, 65535, operation);
  }
  if (given('playDtmfString')) {
    if (typeof o.playDtmfString !== 'string' || !DTMF.test(o.playDtmfString)) throw new MediantInputError(name('playDtmfString'), 'up to 16 DTMF digits (0-9 * # A-D)', o.playDtmfString, operation);
    out.playDtmfString = o.playDtmfString;
  }
  if (given('playToneIndex')) out.playToneIndex = checkSignedInteger(o.playToneIndex, name('playToneIndex'), -1, 80, operation);
  if (given('timeout')) out.timeout = checkInteger(o.timeout, name('timeout'), 1, 86_400, operation);
  if (given('transportType')) {
    const tt = typeof o.transportType === 'string' ? o.transportType.toUpperCase() : undefined;
    if (!tt || !(TEST_CALL_TRANSPORTS as readonly string[]).includes(tt)) throw new MediantInputError(name('transportType'), oneOf(TEST_CALL_TRANSPORTS), o.transportType, operation);
    out.transportType = tt as TransportType;
  }
  return out;
}

export const AUTH_TOKEN_LEVELS: readonly AuthTokenLevel[] = ['admin', 'operator', 'monitor'];

/** The body of POST /actions/authToken: username, privLevel (admin, operator, monitor), sessionTimeout (s), crossHost. */
export function checkAuthTokenRequest(v: unknown, operation = 'create auth token', prefix = ''): AuthTokenRequest {
  if (!v || typeof v !== 'object' || Array.isArray(v) || Buffer.isBuffer(v)) {
    throw new MediantInputError(prefix ? `${prefix}authToken` : 'auth token request', 'an object { username, privLevel, sessionTimeout?, crossHost? }', v, operation);
  }
  const o = v as Record<string, unknown>;
  const name = (k: string): string => `${prefix}${k}`;
  for (const k of Object.keys(o)) {
    if (!['username', 'privLevel', 'sessionTimeout', 'crossHost'].includes(k) && o[k] !== undefined) throw new MediantInputError(name(k), 'not a field of the request (username, privLevel, sessionTimeout, crossHost)', o[k], operation);
  }
  const username = checkText(o.username, name('username'), 60, operation);
  if (typeof o.privLevel !== 'string' || !(AUTH_TOKEN_LEVELS as readonly string[]).includes(o.privLevel)) {
    throw new MediantInputError(name('privLevel'), oneOf(AUTH_TOKEN_LEVELS), o.privLevel, operation);
  }
  const out: AuthTokenRequest = { username, privLevel: o.privLevel as AuthTokenLevel };
  if (o.sessionTimeout !== undefined && o.sessionTimeout !== null && o.sessionTimeout !== '') out.sessionTimeout = checkInteger(o.sessionTimeout, name('sessionTimeout'), 1, 86_400, operation);
  if (o.crossHost !== undefined && o.crossHost !== null && o.crossHost !== '') out.crossHost = checkText(o.crossHost, name('crossHost'), 255, operation);
  return out;
}
