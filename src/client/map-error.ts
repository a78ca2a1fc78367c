/**
 * Turns whatever undici, the TLS layer, the OS or the file system threw into
 * one MediantError with a message in plain words. Messages are built from our
 * own words, the target `host:port` and error codes only: never from the
 * original message (which may quote bytes from the wire) and never from
 * request headers, so a credential cannot reach them.
 */
import {
  MediantAbortError,
  MediantError,
  MediantNetworkError,
  MediantResponseError,
  MediantTimeoutError,
  MediantTlsError,
  isMediantError,
} from './errors';

interface CodedError {
  code?: unknown;
  name?: unknown;
  errors?: unknown;
  cause?: unknown;
  /** undici's SocketError: what the connection had carried when it closed. */
  socket?: { bytesRead?: unknown } | null;
}

/**
 * Failures where the device closed the connection without answering a
 * single byte, or answered bytes that are not HTTP: what a port that speaks
 * TLS does with a plain HTTP request. The transport of a plain-HTTP client
 * then asks the port whether it speaks TLS (transport.ts `explain`).
 */
const unanswered = new WeakSet<MediantError>();

/** Whether the device closed the connection without an HTTP answer (see `unanswered`). */
export function closedWithoutAnswer(e: MediantError): boolean {
  return unanswered.has(e);
}

function noBytesRead(err: unknown): boolean {
  const socket = err && typeof err === 'object' ? (err as CodedError).socket : undefined;
  // A reset without socket details (ECONNRESET, EPIPE) may be one too: the question costs one connection.
  return !socket || typeof socket !== 'object' || socket.bytesRead === 0 || socket.bytesRead === undefined;
}

/** The first error code found on the error, its cause, or inside an AggregateError (several addresses tried). */
export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const c = e as CodedError;
    if (typeof c.code === 'string' && c.code !== '') return c.code;
    if (Array.isArray(c.errors) && c.errors.length > 0) {
      e = c.errors[0];
      continue;
    }
    e = c.cause;
  }
  if (err && typeof err === 'object' && (err as CodedError).name === 'AbortError') return 'ABORT_ERR';
  return undefined;
}

const SELF_SIGNED = "the device's certificate is self-signed: give its CA certificate in a tls-config node, or turn verification off there (not recommended)";

/** What a certificate or handshake failure means, and what to do about it. */
function tlsDetail(code: string, host: string, target: string): string | undefined {
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return SELF_SIGNED;
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return "the device's certificate chain ends in a self-signed CA that is not trusted here: give that CA certificate in a tls-config node, or turn verification off there (not recommended)";
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return "the device's certificate was issued by a CA that is not trusted here: give that CA certificate in a tls-config node, or turn verification off there (not recommended)";
    case 'CERT_HAS_EXPIRED':
      return "the device's certificate has expired: renew it on the device (and check this host's clock)";
    case 'CERT_NOT_YET_VALID':
      return "the device's certificate is not valid yet: check the clocks of the device and of this host";
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `the device's certificate does not name ${host}: connect by a name or address the certificate holds, or set the expected server name in the tls-config node`;
    case 'CERT_REVOKED':
      return "the device's certificate has been revoked: install a new one on the device";
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return `handshake with ${target} failed: is that port serving HTTPS? (for plain HTTP set the protocol to http)`;
    default:
      break;
  }
  if (code.startsWith('ERR_OSSL_') || code === 'ERR_CRYPTO_INVALID_KEYLEN') {
    return 'the CA, client certificate or key could not be used: check they are PEM and that the passphrase is right';
  }
  if (code.startsWith('ERR_SSL_') || code === 'ERR_TLS_HANDSHAKE_TIMEOUT') {
    return `handshake with ${target} failed (${code}): check that the device serves HTTPS on that port and that its TLS settings match`;
  }
  if (code.startsWith('ERR_TLS_') || code.startsWith('CERT_') || code.includes('_CERT')) {
    return `the device's certificate was not accepted (${code}): give its CA certificate in a tls-config node, or turn verification off there (not recommended)`;
  }
  return undefined;
}

export interface MapContext {
  operation: string;
  /** `host:port`. */
  target: string;
  host: string;
  /** The timeout in force, for the message. */
  timeoutMs: number;
}

export function mapError(err: unknown, ctx: MapContext): MediantError {
  if (isMediantError(err)) return err;
  const { operation, target, host, timeoutMs } = ctx;
  const code = errorCode(err) ?? '';
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return new MediantTimeoutError(operation, target, timeoutMs, 'answer to the connection attempt');
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new MediantTimeoutError(operation, target, timeoutMs, 'answer');
    case 'UND_ERR_BODY_TIMEOUT':
      return new MediantTimeoutError(operation, target, timeoutMs, 'complete answer');
    case 'ECONNREFUSED':
      return new MediantNetworkError(operation, `connection refused by ${target} (is the device up and the port right?)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return new MediantNetworkError(operation, `host name not found (DNS): ${host}`);
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
      return new MediantNetworkError(operation, `${target} is unreachable (no route to the host)`);
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return new MediantNetworkError(operation, `${target} is unreachable (no route to its network)`);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
    case 'UND_ERR_SOCKET': {
      const e = new MediantNetworkError(operation, `connection dropped by ${target} before a complete answer`, 'dropped');
      if (noBytesRead(err)) unanswered.add(e);
      return e;
    }
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_DESTROYED':
      return new MediantNetworkError(operation, `connection dropped: the client for ${target} was closed`, 'closed');
    case 'UND_ERR_ABORTED':
    case 'UND_ERR_ABORT':
    case 'ABORT_ERR':
      return new MediantAbortError(operation);
    case 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH':
      return new MediantError('EINPUT', operation, `${operation} failed: the file changed size while it was being sent`);
    case 'ENOENT':
    case 'EACCES':
    case 'EISDIR':
    case 'EPERM':
    case 'EMFILE':
      return new MediantError('EINPUT', operation, `${operation} failed: the file could not be read (${code})`);
    default:
      break;
  }
  const tls = code ? tlsDetail(code, host, target) : undefined;
  if (tls) return new MediantTlsError(operation, tls);
  // undici's HTTPParserError has no code for some bytes (a TLS record where "HTTP/1.1" should be).
  const parser = !code && err !== null && typeof err === 'object' && (err as CodedError).name === 'HTTPParserError';
  if (parser || code.startsWith('HPE_') || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || code === 'UND_ERR_HEADERS_OVERFLOW') {
    const e = new MediantResponseError(operation, `${target} sent a broken HTTP answer (${code || 'not HTTP'})`);
    if (parser || code === 'HPE_INVALID_CONSTANT') unanswered.add(e);
    return e;
  }
  return new MediantNetworkError(operation, `request to ${target} failed (${code || 'unknown error'})`);
}
