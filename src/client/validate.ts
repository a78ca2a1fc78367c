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
