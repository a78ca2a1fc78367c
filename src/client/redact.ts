/**
 * The one redaction of the package: what a device (or a proxy in front of
 * it) sends back may quote the request's Authorization header or the
 * password itself — in an error `description`, a header, a status field.
 * Every such text passes through the client's redactor before it can reach
 * an error, a status or a log line: the password (in any letter case), the
 * base64 of `user:password` (with or without padding, standard or URL-safe),
 * and any `Basic <token>` (the word too) become `***`.
 */

/** A redactor for one client's credentials. */
export type Redact = (text: string) => string;

const BASIC_TOKEN = /\bBasic\s+[A-Za-z0-9+/_=.~-]+/gi;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function makeRedactor(username: string, password: string): Redact {
  const secrets = new Set<string>();
  const b64 = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  secrets.add(b64);
  secrets.add(b64.replace(/=+$/, ''));
  secrets.add(b64.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'));
  if (password !== '') {
    secrets.add(password);
    const encoded = encodeURIComponent(password);
    if (encoded !== password) secrets.add(encoded);
  }
  // Longest first, so that a secret containing another is cut whole.
  const list = [...secrets].filter((x) => x !== '').sort((a, b) => b.length - a.length);
  const pattern = new RegExp(list.map(escapeRegExp).join('|'), 'gi');
  return (text: string): string => {
    if (typeof text !== 'string' || text === '') return text;
    return text.replace(BASIC_TOKEN, '***').replace(pattern, '***');
  };
}

/**
 * An answer's texts about what the device did (`description`, a CLI
 * script's `output`), in place, through the redactor: they reach msg
 * properties of their own (msg.reset, msg.description), as on failure they
 * reach an error. The rest of the body is the device's data, as sent.
 */
export function redactTexts<R extends { body: unknown }>(res: R, redact: Redact, keys: readonly string[] = ['description']): R {
  const b = res.body as Record<string, unknown> | null;
  if (b !== null && typeof b === 'object' && !Array.isArray(b)) {
    for (const k of keys) {
      const v = b[k];
      if (typeof v === 'string') b[k] = redact(v);
    }
  }
  return res;
}
