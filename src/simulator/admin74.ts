/**
 * 7.4's administrative additions: POST /actions/authToken, the TLS files
 * under /files/tls, and the debug file (POST /files/create/debugFile, then
 * GET /files/debugFile).
 *
 * Unknown in the sources, chosen to fail safe for a client:
 * - /files/tls: only its existence is known (one client reads `files` or the
 *   raw body). Modelled as the device's TLS contexts, each with a
 *   certificate, a private key and trusted roots: GET /files/tls lists the
 *   contexts, GET /files/tls/<id> a context's files, GET …/certificate and
 *   …/trustedRoot download PEM, PUT …/{certificate,privateKey,trustedRoot}
 *   uploads (octet-stream or multipart); a private key is never downloadable
 *   (405). Uploads are parsed as PEM: anything else is 400.
 * - the debug file: while it is being made, GET answers 200 with an EMPTY
 *   body (one client polls "until 200 with a non-empty body", so a device may
 *   do this): a client must check the length, not only the status. Before
 *   any creation: 404. When ready: a real .tar.gz (application/octet-stream).
 * - authToken: `privLevel` is required; the token is a one-time Web single
 *   sign-on token that the simulator only hands out.
 */
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { consumeUpload } from './body';
import { makeSelfSignedCertificate } from './cert';
import type { Device } from './device';
import { HA_SYNC } from './device';
import { type Ctx, fail, json, readJson, send, stillUp } from './respond';

// ------------------------------------------------------------------ auth token

const PRIV_LEVELS = ['admin', 'operator', 'monitor'];

export async function authToken(c: Ctx): Promise<void> {
  const body = await readJson(c);
  for (const k of Object.keys(body)) {
    if (!['username', 'privLevel', 'sessionTimeout', 'crossHost'].includes(k)) return fail(c, 400, `Unsupported attribute "${k}"`);
  }
  const u = body.username;
  if (typeof u !== 'string' || u.trim() === '' || u.length > 60) return fail(c, 400, 'Invalid value of attribute "username": a non-empty string');
  if (!PRIV_LEVELS.includes(body.privLevel as string)) return fail(c, 400, 'Invalid value of attribute "privLevel": admin, operator or monitor');
  const t = body.sessionTimeout;
  if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 86400)) {
    return fail(c, 400, 'Invalid value of attribute "sessionTimeout": seconds 1..86400');
  }
  const h = body.crossHost;
  if (h !== undefined && (typeof h !== 'string' || h.length > 255)) return fail(c, 400, 'Invalid value of attribute "crossHost": a string');
  json(c, 200, { authToken: randomBytes(32).toString('hex'), description: 'Authentication token successfully generated' });
}

// ------------------------------------------------------------------ TLS files

export type TlsKind = 'certificate' | 'privateKey' | 'trustedRoot';

const TLS_KINDS: Record<TlsKind, { description: string; label: string; download: boolean }> = {
  certificate: { description: 'Device certificate (PEM)', label: 'Certificate file', download: true },
  privateKey: { description: 'Private key (PEM)', label: 'Private key file', download: false },
  trustedRoot: { description: 'Trusted root certificates (PEM)', label: 'Trusted root certificate file', download: true },
};

export interface TlsContext {
  id: string;
  name: string;
  certificate?: string;
  privateKey: boolean;
  trustedRoot?: string;
}

export function defaultTlsContexts(): TlsContext[] {
  return [
    { id: '0', name: 'default', privateKey: true },
    { id: '1', name: 'Teams', privateKey: false },
  ];
}

const TLS_MAX = 1024 * 1024;

function context(c: Ctx): TlsContext | undefined {
  return c.dev.tls.find((x) => x.id === c.params[0]);
}

export function tlsList(c: Ctx): void {
  json(c, 200, { files: c.dev.tls.map((x) => ({ id: x.id, name: x.name, url: `/api/v1/files/tls/${x.id}` })) });
}

export function tlsContext(c: Ctx): void {
  const ctx = context(c);
  if (!ctx) return fail(c, 404, 'TLS context not found');
  json(c, 200, {
    files: (Object.keys(TLS_KINDS) as TlsKind[]).map((k) => ({ id: k, description: TLS_KINDS[k].description, url: `/api/v1/files/tls/${ctx.id}/${k}` })),
  });
}

export function tlsGet(c: Ctx, kind: TlsKind): void {
  const ctx = context(c);
  if (!ctx) return fail(c, 404, 'TLS context not found');
  // the default context has the device's self-signed certificate, made on first use
  if (kind === 'certificate' && ctx.id === '0' && !ctx.certificate) ctx.certificate = makeSelfSignedCertificate(c.listenHost, 'mediant-sim').cert;
  const pem = kind === 'certificate' ? ctx.certificate : ctx.trustedRoot;
  if (!pem) return fail(c, 404, `${TLS_KINDS[kind].label} not found`);
  send(c, 200, pem, 'application/octet-stream');
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \1-----/g;

export async function tlsPut(c: Ctx, kind: TlsKind): Promise<void> {
  const dev = c.dev;
  const ctx = context(c);
  if (dev.faults.haSync) return fail(c, 409, HA_SYNC);
  const up = await consumeUpload(c.req, TLS_MAX, c.onBytes);
  if (!stillUp(c)) return;
  if (!ctx) return fail(c, 404, 'TLS context not found');
  const label = TLS_KINDS[kind].label;
  if (up.multipartError) return fail(c, 400, `${label} is incorrect: ${up.multipartError}`);
  if (up.bytes === 0) return fail(c, 400, `${label} is incorrect`);
  if (up.tooLarge) return fail(c, 400, `${label} is incorrect: too large`);
  const text = (up.data as Buffer).toString('utf8');
  const blocks = [...text.matchAll(PEM_BLOCK)];
  try {
    if (kind === 'privateKey') {
      if (blocks.length !== 1 || !/PRIVATE KEY$/.test(blocks[0][1])) throw new Error('expected one PEM private key');
      createPrivateKey(blocks[0][0]);
      ctx.privateKey = true;
    } else {
      const certs = blocks.filter((b) => b[1] === 'CERTIFICATE');
      if (!certs.length || certs.length !== blocks.length || (kind === 'certificate' && certs.length > 3)) throw new Error('expected PEM certificates');
      for (const b of certs) new X509Certificate(b[0]);
      const pem = certs.map((b) => b[0]).join('\n') + '\n';
      if (kind === 'certificate') ctx.certificate = pem;
      else ctx.trustedRoot = pem;
    }
  } catch (e) {
    return fail(c, 400, `${label} is incorrect: ${(e as Error).message.split('\n')[0]}`);
  }
  dev.recordUpload({ fileType: `tls/${ctx.id}/${kind}`, bytes: up.bytes, sha256: up.sha256, contentType: up.contentType });
  json(c, 200, { description: `${label} was loaded` });
}

// ------------------------------------------------------------------ debug file

export interface DebugFile {
  transactionId: string;
  requestedAt: number;
  readyAt: number;
  attachCoreDump: boolean;
  data?: Buffer;
}

export async function createDebugFile(c: Ctx): Promise<void> {
  const dev = c.dev;
  const body = await readJson(c);
  for (const k of Object.keys(body)) if (k !== 'attachCoreDump') return fail(c, 400, `Unsupported attribute "${k}"`);
  if (body.attachCoreDump !== undefined && typeof body.attachCoreDump !== 'boolean') return fail(c, 400, 'Invalid value of attribute "attachCoreDump": true or false');
  const now = Date.now();
  if (dev.debugFile && now < dev.debugFile.readyAt) return fail(c, 409, 'Debug file creation is already in progress');
  const transactionId = String(100000 + Math.floor(Math.random() * 900000));
  dev.debugFile = { transactionId, requestedAt: now, readyAt: now + dev.debugFileMs, attachCoreDump: body.attachCoreDump === true };
  json(c, 200, { description: 'Debug file creation started', transactionId });
}

export function getDebugFile(c: Ctx): void {
  const f = c.dev.debugFile;
  if (!f) return fail(c, 404, 'Debug file does not exist: create it first (POST /api/v1/files/create/debugFile)');
  if (Date.now() < f.readyAt) {
    c.res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': '0' });
    c.res.end();
    return;
  }
  f.data ??= debugArchive(c.dev, f);
  send(c, 200, f.data, 'application/octet-stream');
}

/** One file in a ustar archive: header (512 bytes) + data padded to 512. */
function tarEntry(name: string, data: Buffer, mtime: number): Buffer {
  const h = Buffer.alloc(512);
  const put = (s: string, off: number, len: number): void => void h.write(s.slice(0, len), off, 'ascii');
  const oct = (n: number, len: number): string => n.toString(8).padStart(len - 1, '0') + '\0';
  put(name, 0, 100);
  put(oct(0o644, 8), 100, 8);
  put(oct(0, 8), 108, 8);
  put(oct(0, 8), 116, 8);
  put(oct(data.length, 12), 124, 12);
  put(oct(Math.floor(mtime / 1000), 12), 136, 12);
  h.fill(0x20, 148, 156);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(oct(sum, 7) + ' ', 148, 8);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([h, data, pad]);
}

function debugArchive(dev: Device, f: DebugFile): Buffer {
  const info = [
    `Debug file of ${dev.profile.productType}`,
    `Software version: ${dev.profile.versionID}`,
    `Serial number: ${dev.serialNumber}`,
    `Created: ${new Date(f.readyAt).toISOString()}`,
    `Transaction: ${f.transactionId}`,
    '',
    'Active alarms:',
    ...dev.active.all().map((a) => `  ${a.id} ${a.severity} ${a.source}: ${a.description}`),
    '',
  ].join('\n');
  const parts = [tarEntry('debug/info.txt', Buffer.from(info), f.readyAt), tarEntry('debug/running.ini', Buffer.from(dev.iniText()), f.readyAt)];
  if (f.attachCoreDump) parts.push(tarEntry('debug/core.dump', Buffer.alloc(64 * 1024, 0xcc), f.readyAt));
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

/** A reboot loses a debug file being made; a finished one stays. */
export function debugFileAfterReboot(f: DebugFile | undefined, now: number): DebugFile | undefined {
  return f && now < f.readyAt ? undefined : f;
}
