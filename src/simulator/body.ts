/**
 * Request bodies consumed as streams: uploads are hashed (sha256) and
 * counted chunk by chunk and never held whole; only text files the simulator
 * must read (INI, CLI, license) are kept, up to a cap. `multipart/form-data`
 * is parsed as it streams: only the part named `file` is counted and hashed.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface ConsumedUpload {
  /** Bytes of the file (the `file` part for multipart). */
  bytes: number;
  sha256: string;
  /** The file, when asked to keep it and it fit under the cap. */
  data: Buffer | null;
  /** More than the cap arrived (data is null). */
  tooLarge: boolean;
  /** Why a multipart body is unusable. */
  multipartError?: string;
  contentType: string;
}

/** Streaming extractor of the part named `file` from a multipart/form-data body. */
class MultipartFile {
  private buf: Buffer;
  private state: 'preamble' | 'afterDelimiter' | 'headers' | 'body' | 'done' = 'preamble';
  private readonly delimiter: Buffer;
  private inFile = false;
  found = false;
  error?: string;

  constructor(
    boundary: string,
    private readonly onFile: (chunk: Buffer) => void,
  ) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
    // a virtual CRLF so the first delimiter looks like every other one
    this.buf = Buffer.from('\r\n');
  }

  push(chunk: Buffer): void {
    if (this.error || this.state === 'done') return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.step();
  }

  private emit(b: Buffer): void {
    if (this.inFile && b.length) this.onFile(b);
  }

  private step(): void {
    const dlen = this.delimiter.length;
    for (;;) {
      switch (this.state) {
        case 'preamble':
        case 'body': {
          const i = this.buf.indexOf(this.delimiter);
          if (i < 0) {
            const keep = Math.min(this.buf.length, dlen - 1);
            if (this.state === 'body') this.emit(this.buf.subarray(0, this.buf.length - keep));
            this.buf = Buffer.from(this.buf.subarray(this.buf.length - keep));
            return;
          }
          if (this.state === 'body') {
            this.emit(this.buf.subarray(0, i));
            if (this.inFile) this.found = true;
            this.inFile = false;
          }
          this.buf = this.buf.subarray(i + dlen);
          this.state = 'afterDelimiter';
          break;
        }
        case 'afterDelimiter': {
          if (this.buf.length < 2) return;
          const two = this.buf.subarray(0, 2).toString('latin1');
          if (two === '--') {
            this.state = 'done';
            this.buf = Buffer.alloc(0);
            return;
          }
          // transport padding (spaces/tabs) may follow the boundary before its CRLF
          const crlf = this.buf.indexOf('\r\n');
          if (crlf < 0) {
            if (this.buf.length > 256) this.error = 'malformed multipart boundary line';
            return;
          }
          if (this.buf.subarray(0, crlf).toString('latin1').trim() !== '') {
            this.error = 'malformed multipart boundary line';
            return;
          }
          this.buf = this.buf.subarray(crlf + 2);
          this.state = 'headers';
          break;
        }
        case 'headers': {
          let text: string;
          let bodyStart: number;
          if (this.buf.length >= 2 && this.buf[0] === 13 && this.buf[1] === 10) {
            text = ''; // a part without headers
            bodyStart = 2;
          } else {
            const end = this.buf.indexOf('\r\n\r\n');
            if (end < 0) {
              if (this.buf.length > 16384) this.error = 'multipart part headers too large';
              return;
            }
            text = this.buf.subarray(0, end).toString('latin1');
            bodyStart = end + 4;
          }
          const disposition = text.split('\r\n').find((l) => /^content-disposition:/i.test(l)) ?? '';
          const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1] ?? /;\s*name=([^;\s]+)/i.exec(disposition)?.[1];
          this.inFile = name === 'file' && !this.found;
          this.buf = this.buf.subarray(bodyStart);
          this.state = 'body';
          break;
        }
        case 'done':
          return;
      }
    }
  }

  finish(): void {
    if (this.error) return;
    if (this.state !== 'done') this.error = 'multipart body ends before its closing boundary';
    else if (!this.found) this.error = 'no part named "file"';
  }
}

function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  return b && b.length <= 200 ? b : undefined;
}

/**
 * Read a whole request body as an upload. `keepMax` > 0 keeps the file's
 * bytes (up to that many). `onBytes` reports raw bytes received (request log).
 */
export async function consumeUpload(req: IncomingMessage, keepMax: number, onBytes: (n: number) => void): Promise<ConsumedUpload> {
  const contentType = String(req.headers['content-type'] ?? '');
  const hash = createHash('sha256');
  let bytes = 0;
  let tooLarge = false;
  let kept: Buffer[] | null = keepMax > 0 ? [] : null;
  const onFile = (chunk: Buffer): void => {
    bytes += chunk.length;
    hash.update(chunk);
    if (kept) {
      if (bytes > keepMax) {
        kept = null;
        tooLarge = true;
      } else kept.push(Buffer.from(chunk));
    }
  };
  let multipart: MultipartFile | undefined;
  let multipartError: string | undefined;
  if (/^multipart\/form-data\b/i.test(contentType)) {
    const boundary = boundaryOf(contentType);
    if (boundary) multipart = new MultipartFile(boundary, onFile);
    else multipartError = 'multipart/form-data without a boundary';
  }
  for await (const chunk of req as AsyncIterable<Buffer>) {
    onBytes(chunk.length);
    if (multipart) multipart.push(chunk);
    else if (!multipartError) onFile(chunk);
  }
  if (multipart) {
    multipart.finish();
    multipartError = multipart.error;
  }
  return {
    bytes,
    sha256: hash.digest('hex'),
    data: kept ? Buffer.concat(kept) : null,
    tooLarge,
    multipartError,
    contentType,
  };
}

export class BodyTooLarge extends Error {}

/** Read a small body whole (JSON requests); rejects with BodyTooLarge beyond `max`, draining the rest. */
export async function readSmallBody(req: IncomingMessage, max: number, onBytes: (n: number) => void): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  let over = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    onBytes(chunk.length);
    total += chunk.length;
    if (total > max) over = true;
    else parts.push(chunk);
  }
  if (over) throw new BodyTooLarge(`body larger than ${max} bytes`);
  return Buffer.concat(parts);
}
