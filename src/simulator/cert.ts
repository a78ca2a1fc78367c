/**
 * A self-signed X.509 v3 certificate made with Node's crypto only: an EC
 * P-256 key, the DER built here by hand, signed ecdsa-with-SHA256.
 * subjectAltName covers DNS:localhost, IP:127.0.0.1, IP:::1 and the host the
 * simulator listens on; basicConstraints CA:TRUE so a client can trust it
 * directly as its CA (`ca: sim.certificate`).
 */
import { generateKeyPairSync, randomBytes, sign, createHash } from 'node:crypto';
import { isIP } from 'node:net';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), len(content.length), content]);
}

const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bitString = (b: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * parts[0] + parts[1]];
  for (const p of parts.slice(2)) {
    const stack: number[] = [p & 0x7f];
    let v = Math.floor(p / 128);
    while (v > 0) {
      stack.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...stack);
  }
  return tlv(0x06, Buffer.from(out));
}

function utcTime(d: Date): Buffer {
  const p = (n: number): string => String(n).padStart(2, '0');
  const s =
    p(d.getUTCFullYear() % 100) +
    p(d.getUTCMonth() + 1) +
    p(d.getUTCDate()) +
    p(d.getUTCHours()) +
    p(d.getUTCMinutes()) +
    p(d.getUTCSeconds()) +
    'Z';
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

function ipBytes(ip: string): Buffer | null {
  const v = isIP(ip);
  if (v === 4) return Buffer.from(ip.split('.').map(Number));
  if (v === 6) {
    // expand "::" and map to 16 bytes
    const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
    const h = head ? head.split(':') : [];
    const t = tail !== undefined && tail ? tail.split(':') : [];
    if (h.some((x) => x.includes('.')) || t.some((x) => x.includes('.'))) return null; // v4-mapped: skip
    const groups = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    const b = Buffer.alloc(16);
    groups.forEach((g, i) => b.writeUInt16BE(parseInt(g || '0', 16), i * 2));
    return b;
  }
  return null;
}

export interface SelfSigned {
  cert: string;
  key: string;
}

/** Make a fresh self-signed certificate (valid from yesterday for 10 years). */
export function makeSelfSignedCertificate(host: string, commonName = 'mediant-sim'): SelfSigned {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });

  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x40; // positive, minimal encoding

  const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const name = seq(set(seq(oid('2.5.4.3'), utf8(commonName))), set(seq(oid('2.5.4.10'), utf8('mediant-sim'))));
  const now = Date.now();
  const validity = seq(utcTime(new Date(now - 24 * 3600 * 1000)), utcTime(new Date(now + 10 * 365 * 24 * 3600 * 1000)));

  const dnsNames = new Set<string>(['localhost']);
  const ips = new Map<string, Buffer>();
  for (const ip of ['127.0.0.1', '::1']) ips.set(ip, ipBytes(ip) as Buffer);
  if (host && !['0.0.0.0', '::'].includes(host)) {
    const b = ipBytes(host);
    if (b) ips.set(host, b);
    else if (isIP(host) === 0) dnsNames.add(host);
  }
  const sanEntries = [
    ...[...dnsNames].map((d) => tlv(0x82, Buffer.from(d, 'ascii'))),
    ...[...ips.values()].map((b) => tlv(0x87, b)),
  ];

  // the subjectPublicKey BIT STRING content, for the key identifier
  const pubBits = spki.subarray(spki.length - 65);
  const keyId = createHash('sha1').update(pubBits).digest();

  const extensions = seq(
    // basicConstraints, critical, CA:TRUE
    seq(oid('2.5.29.19'), bool(true), octets(seq(bool(true)))),
    // keyUsage, critical: digitalSignature + keyCertSign
    seq(oid('2.5.29.15'), bool(true), octets(bitString(Buffer.from([0x84]), 2))),
    // extendedKeyUsage: serverAuth
    seq(oid('2.5.29.37'), octets(seq(oid('1.3.6.1.5.5.7.3.1')))),
    // subjectKeyIdentifier
    seq(oid('2.5.29.14'), octets(octets(keyId))),
    // subjectAltName
    seq(oid('2.5.29.17'), octets(seq(...sanEntries))),
  );

  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // version v3
    tlv(0x02, serial),
    ecdsaWithSha256,
    name,
    validity,
    name,
    spki,
    tlv(0xa3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey); // DER-encoded ECDSA signature
  const der = seq(tbs, ecdsaWithSha256, bitString(signature));

  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  const cert = `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { cert, key };
}
