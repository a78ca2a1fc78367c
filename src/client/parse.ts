/**
 * Reading what a device sent: its media type, JSON with a depth limit (the
 * one JSON parser for device answers), the device's own error text, and the
 * answer's headers less any echo of the credentials. Nothing here sends a
 * request; the transport (transport.ts) calls these on every answer.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { MediantResponseError } from './errors';
import type { Redact } from './redact';
import type { ApiResponse } from './types';

/** JSON answers nested deeper than this are refused: this API nests 4 levels at most. */
export const MAX_JSON_DEPTH = 32;

/** The answer's media type, lower case, without parameters; '' when it sent none. */
export function mediaType(headers: IncomingHttpHeaders): string {
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
export function parseDeviceJson(body: Buffer, operation: string): unknown {
  if (!withinDepth(body, MAX_JSON_DEPTH)) throw new MediantResponseError(operation, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    const text = body.toString('utf8');
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  } catch {
    throw new MediantResponseError(operation, 'malformed JSON');
  }
}

/** A JSON answer (an HTML page is refused by name); `objectOnly`: it must be a JSON object. */
export function parseJson(body: Buffer, type: string, operation: string, objectOnly: boolean): unknown {
  if (type === 'text/html' || (type === '' && body[0] === 0x3c /* < */)) {
    throw new MediantResponseError(operation, `expected JSON, got ${type || 'HTML'}`);
  }
  const value = parseDeviceJson(body, operation);
  if (objectOnly && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw new MediantResponseError(operation, 'expected a JSON object');
  }
  return value;
}

/** A text from the device, fit for a message: one line, no control characters, no credential, at most `max` characters. */
export function deviceText(v: unknown, redact: Redact, max = 300): string | undefined {
  if (typeof v !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const d = redact(v.replace(/[\u0000-\u001f\u007f]+/g, ' ')).replace(/\s+/g, ' ').trim();
  return d === '' ? undefined : d.length > max ? `${d.slice(0, max)}…` : d;
}

/**
 * The device's own words from a JSON error body — `description`, or
 * `errorDescription` (7.4's newer resources: /kpi, /sipTestCall) — without
 * any credential; nothing from HTML or anything else.
 */
export function deviceDescription(headers: IncomingHttpHeaders, body: Buffer, redact: Redact): string | undefined {
  if (body.length === 0 || body.length > 64 * 1024) return undefined;
  const type = mediaType(headers);
  const looksJson = type === 'application/json' || type.endsWith('+json') || (type === '' && body[0] === 0x7b /* { */);
  if (!looksJson) return undefined;
  try {
    const v = parseDeviceJson(body, 'error') as { description?: unknown; errorDescription?: unknown } | null;
    if (v) return deviceText(v.description, redact) ?? deviceText(v.errorDescription, redact);
  } catch {
    // not JSON after all: the status alone says it
  }
  return undefined;
}

/** Response headers with any credential the device echoed cut out of their values. */
export function redactHeaders(headers: ApiResponse<unknown>['headers'], redact: Redact): ApiResponse<unknown>['headers'] {
  const out: ApiResponse<unknown>['headers'] = {};
  for (const [k, v] of Object.entries(headers)) {
    out[k] = typeof v === 'string' ? redact(v) : Array.isArray(v) ? v.map((x) => redact(x)) : v;
  }
  return out;
}
