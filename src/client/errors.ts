/**
 * The one error family of the package. Every failure a user can see is a
 * MediantError; its `message` is plain words, names the operation, and never
 * contains a credential (messages are built from our own words, the HTTP
 * status and the device's `description` only — never from request headers).
 */

export type MediantErrorCode =
  | 'EINPUT' // a value from outside was refused before any request was sent
  | 'EHTTP' // the device answered with an error status
  | 'ETIMEOUT' // no (complete) answer in time
  | 'ENETWORK' // refused, unreachable, DNS, connection dropped
  | 'ETLS' // certificate or handshake problem
  | 'ERESPONSE' // malformed or oversized answer
  | 'EBUSY' // refused locally because a conflicting operation is under way
  | 'EABORTED' // cancelled by the caller (node closed)
  | 'EDEVICE'; // the device answered 2xx but reports that the operation failed (a CLI script's status)

export class MediantError extends Error {
  readonly code: MediantErrorCode;
  /** Short name of what was being done, e.g. `reset`, `upload ini`. */
  readonly operation: string;
  /** HTTP status where the device answered. */
  readonly statusCode?: number;

  constructor(code: MediantErrorCode, operation: string, message: string, statusCode?: number) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.operation = operation;
    if (statusCode !== undefined) this.statusCode = statusCode;
  }

  /**
   * Just the message: Node-RED puts `err.toString()` into `msg.error.message`,
   * and users match on the plain text (`reset failed: 409 Conflict: ...`).
   */
  override toString(): string {
    return this.message;
  }
}

/** A value from a msg or a caller was refused; no request was sent. */
export class MediantInputError extends MediantError {
  /** The property that was refused, e.g. `msg.gracefulTimeout` or `alarm id`: a status names it. */
  readonly property: string;
  constructor(property: string, expected: string, got: unknown, operation = 'input') {
    super('EINPUT', operation, `${property} must be ${expected}, got ${describeValue(got)}`);
    this.property = property;
  }

  /** A refusal of `property` in words of its own (`msg.device "sbc-7" names no running mediant-device …`). */
  static saying(property: string, message: string, operation = 'input'): MediantInputError {
    const e = new MediantInputError(property, '', undefined, operation);
    e.message = message;
    return e;
  }
}

/**
 * A setting (of a device, a node) cannot work, so nothing is sent: `setting`
 * names it (`host`), `owner` the device it belongs to, and `variable` the
 * environment variable it was to come from where that variable is not set
 * (`MEDIANT_HOST`: the value is still the text `${MEDIANT_HOST}`).
 */
export class MediantSettingError extends MediantError {
  readonly setting: string;
  /** Whose setting it is, where not the node's own (a device's name: `sbc`). */
  readonly owner?: string;
  readonly variable?: string;
  constructor(operation: string, setting: string, message: string, { owner, variable }: { owner?: string; variable?: string } = {}) {
    super('EINPUT', operation, message);
    this.setting = setting;
    if (owner !== undefined) this.owner = owner;
    if (variable !== undefined) this.variable = variable;
  }
}

/** The device answered with a status >= 400. */
export class MediantHttpError extends MediantError {
  override readonly statusCode: number;
  readonly statusText: string;
  /** The device's own `description` (or `errorDescription`) text, where it sent one. */
  readonly description?: string;
  /** Our own words on what to do, where we know more than the device says (the privilege an operation needs). */
  readonly hint?: string;
  constructor(operation: string, statusCode: number, description?: string, hint?: string) {
    const statusText = httpReason(statusCode);
    // A device that starts its description with the status text ("Unauthorized: valid credentials are
    // required") would have it said twice: it is said once.
    const said = description === undefined ? undefined : withoutPrefix(description, statusText);
    const tail = said ? `: ${said}` : '';
    super('EHTTP', operation, `${operation} failed: ${statusCode} ${statusText}${tail}${hint ? ` — ${hint}` : ''}`, statusCode);
    this.statusCode = statusCode;
    this.statusText = statusText;
    if (description) this.description = description;
    if (hint) this.hint = hint;
  }
}

/**
 * The device answered 2xx, but its answer says the operation failed: a CLI
 * script whose `status` is not "success" (firmware 7.x). Carries the device's
 * status, description and output (credentials cut out, output bounded).
 */
export class MediantDeviceError extends MediantError {
  override readonly statusCode: number;
  /** The device's `status` value, as text. */
  readonly deviceStatus: string;
  readonly description?: string;
  /** What the device printed, where it sent an output. */
  readonly output?: string;
  constructor(operation: string, statusCode: number, deviceStatus: string, description?: string, output?: string, outputExcerpt?: string) {
    const parts = [description, outputExcerpt].filter((x): x is string => typeof x === 'string' && x !== '');
    super('EDEVICE', operation, `${operation} failed: the device reports status "${deviceStatus}"${parts.length ? `: ${parts.join(' — ')}` : ''}`, statusCode);
    this.statusCode = statusCode;
    this.deviceStatus = deviceStatus;
    if (description !== undefined) this.description = description;
    if (output !== undefined) this.output = output;
  }
}

export class MediantTimeoutError extends MediantError {
  /** `detail`: what the time went on, in a few words, e.g. `waited for a free connection`. */
  constructor(operation: string, target: string, ms: number, what = 'answer', detail?: string) {
    super('ETIMEOUT', operation, `${operation} failed: timeout: no ${what} from ${target} within ${formatMs(ms)}${detail ? ` (${detail})` : ''}`);
  }
}

/**
 * What kind of network failure, for a status in a few words: `unreachable`
 * (refused, no route, DNS, not connected), `dropped` (the connection closed
 * before a complete answer), `wrongProtocol` (plain HTTP sent to a port that
 * speaks HTTPS), `closed` (the client itself was closed).
 */
export type NetworkFailure = 'unreachable' | 'dropped' | 'wrongProtocol' | 'closed';

export class MediantNetworkError extends MediantError {
  readonly failure: NetworkFailure;
  constructor(operation: string, detail: string, failure: NetworkFailure = 'unreachable') {
    super('ENETWORK', operation, `${operation} failed: network: ${detail}`);
    this.failure = failure;
  }
}

export class MediantTlsError extends MediantError {
  constructor(operation: string, detail: string) {
    super('ETLS', operation, `${operation} failed: TLS: ${detail}`);
  }
}

export class MediantResponseError extends MediantError {
  constructor(operation: string, detail: string, statusCode?: number) {
    super('ERESPONSE', operation, `${operation} failed: bad response: ${detail}`, statusCode);
  }
}

export class MediantBusyError extends MediantError {
  constructor(operation: string, detail: string) {
    super('EBUSY', operation, `${operation} refused: ${detail}`);
  }
}

export class MediantAbortError extends MediantError {
  constructor(operation: string) {
    super('EABORTED', operation, `${operation} cancelled`);
  }
}

export function isMediantError(e: unknown): e is MediantError {
  return e instanceof MediantError;
}

/**
 * Wraps a refused value that must never be shown (a password): the message
 * says only what kind of value it was.
 */
export class Hidden {
  readonly kind: string;
  constructor(v: unknown) {
    this.kind = v === undefined ? 'nothing' : v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
  }
}

/**
 * Wraps a refused file path: shown whole (up to 300 characters) rather than
 * cut at 40 like other strings, since the user has to see which file it was.
 */
export class PathValue {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
}

/** A refused value described in words chosen by the check (part of it shown, the rest not). */
export class ShownAs {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** A short, safe rendering of a refused value for an error message. */
export function describeValue(v: unknown): string {
  if (v instanceof Hidden) return `${v.kind} (not shown)`;
  if (v instanceof ShownAs) return v.text;
  if (v instanceof PathValue) return JSON.stringify(v.path.length > 300 ? `${v.path.slice(0, 300)}…` : v.path);
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') {
    const s = v.length > 40 ? `${v.slice(0, 40)}…` : v;
    return JSON.stringify(s);
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Buffer.isBuffer(v)) return `a Buffer of ${v.length} bytes`;
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** `16 MiB`, `512 KiB`, `1000 bytes`: a byte count for a message. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** `text` without a leading `prefix` (any letter case) and the separator after it; undefined when nothing is left. */
function withoutPrefix(text: string, prefix: string): string | undefined {
  if (text.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return text;
  const rest = text.slice(prefix.length);
  if (rest !== '' && !/^[\s:.,;–—-]/.test(rest)) return text; // "Unauthorizedxyz" is another word
  const left = rest.replace(/^[\s:.,;–—-]+/, '');
  return left === '' ? undefined : left;
}

export function httpReason(status: number): string {
  return REASONS[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}
