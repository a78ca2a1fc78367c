/**
 * Upload bodies: a Buffer, a string, a file on disk (`{ path }`, streamed,
 * never read whole) or a Readable, sent as application/octet-stream or, where
 * asked, as multipart/form-data with one field named `file`. Every body goes
 * out as an async iterable of chunks so that progress is reported and the
 * upload's idle watchdog is fed as bytes leave.
 */
import { constants as fsConstants, promises as fsp, type ReadStream, type Stats } from 'node:fs';
import { basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { MediantAbortError, MediantError, MediantInputError, PathValue } from './errors';

/**
 * Chunk size for Buffer bodies and file streams. 1 MiB, not the 64 KiB
 * stream default: a 1 GiB software load in 64 KiB reads spent ~40 % of its
 * CPU in garbage collection and reached half of curl's throughput; 1 MiB
 * reads close most of that gap, and the stream still buffers only about one
 * chunk ahead (bench/README.md, "streamed upload").
 */
const CHUNK = 1024 * 1024;

/** Fed by the body as bytes are handed to the socket. */
export interface UploadTracker {
  sent: number;
  total: number | undefined;
  onProgress?: (sent: number, total: number | undefined) => void;
  /** Called for every chunk: the idle watchdog starts again. */
  touch(): void;
}

/** One attempt's body. */
export interface OpenedBody {
  body: AsyncIterable<Buffer>;
  contentType: string;
  contentLength: number | undefined;
  /** Releases the source (closes a file stream) whatever happened. */
  dispose(): void;
}

export interface PreparedUpload {
  /** Sent as multipart/form-data (one part named `file`), else application/octet-stream; may be set until the upload is opened. */
  multipart: boolean;
  /** Bytes of the file itself, where known. */
  size: number | undefined;
  /** Bytes and files can be sent again (409 retry); a caller's Readable cannot. */
  retryable: boolean;
  open(tracker: UploadTracker): OpenedBody;
}

export interface PrepareOptions {
  multipart: boolean;
  /** Used in the multipart part when the source has no file name. */
  defaultFilename: string;
  operation: string;
  /** Name of the refused property in messages. */
  property?: string;
  /** Name of a refused `{ path }` in messages. Default `filename`. */
  filenameProperty?: string;
  /** Aborts the file checks (a stat or open on a hung file system returns at once). */
  signal?: AbortSignal | undefined;
}

export function isPathBody(v: unknown): v is { path: string } {
  if (!v || typeof v !== 'object' || Array.isArray(v) || Buffer.isBuffer(v) || isReadable(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === 'path';
}

export function isReadable(v: unknown): v is Readable {
  return v instanceof Readable || (!!v && typeof (v as Readable).pipe === 'function' && typeof (v as Readable)[Symbol.asyncIterator] === 'function');
}

/** Checks the source before any request: a missing or unreadable file is refused here. */
export async function prepareUpload(source: unknown, opts: PrepareOptions): Promise<PreparedUpload> {
  const property = opts.property ?? 'body';
  if (Buffer.isBuffer(source) || typeof source === 'string' || source instanceof Uint8Array) {
    const bytes = typeof source === 'string' ? Buffer.from(source, 'utf8') : Buffer.isBuffer(source) ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    return fromSource(opts, opts.defaultFilename, bytes.length, true, () => ({ chunks: bufferChunks(bytes), dispose: noop }));
  }
  if (isPathBody(source)) {
    const path = source.path;
    const fileProperty = opts.filenameProperty ?? 'filename';
    const size = await checkFile(path, opts.operation, fileProperty, opts.signal);
    return fromSource(opts, basename(path), size, true, () => fileSource(path, opts.operation, fileProperty));
  }
  if (isReadable(source)) {
    if (source.destroyed || source.readableEnded) {
      throw new MediantInputError(property, 'a readable stream that has not been read yet', 'a finished stream', opts.operation);
    }
    const streamPath = (source as unknown as { path?: unknown }).path;
    const name = typeof streamPath === 'string' ? basename(streamPath) : opts.defaultFilename;
    let opened = false;
    return fromSource(opts, name, undefined, false, () => {
      if (opened) throw new MediantInputError(property, 'a stream that is sent once', 'a stream already sent', opts.operation);
      opened = true;
      return { chunks: source, dispose: () => source.destroy() };
    });
  }
  throw new MediantInputError(property, 'a Buffer, a string, { path } of a file, or a readable stream', source, opts.operation);
}

/** Where a path is not a regular file, what it is instead. */
function notAFile(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'a file, not a directory';
  if (st.isFIFO()) return 'a regular file, not a named pipe (FIFO)';
  if (st.isSocket()) return 'a regular file, not a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a regular file, not a device';
  return 'a regular file';
}

/** Opens for reading without ever blocking: O_NONBLOCK, so a FIFO swapped in after the stat cannot hang the open. */
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);

/** `p`, or MediantAbortError as soon as `signal` aborts; what `p` yields later is handed to `release`. */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined, operation: string, release?: (v: T) => void): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) {
    p.then(release, noop);
    return Promise.reject(new MediantAbortError(operation));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      p.then(release, noop);
      reject(new MediantAbortError(operation));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) return;
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function refuseFile(path: unknown, property: string, expected: string, operation: string): never {
  throw new MediantInputError(property, expected, typeof path === 'string' ? new PathValue(path) : path, operation);
}

function openFailure(e: unknown): string {
  const code = (e as { code?: string }).code;
  return code === 'ENOENT' ? 'an existing file' :
    code === 'EACCES' || code === 'EPERM' ? 'a file this process may read (permission denied)' :
    code === 'EISDIR' ? 'a file, not a directory' :
    code === 'ENOTDIR' ? 'an existing file (a folder in the path is not a folder)' :
    code === 'ENXIO' ? 'a regular file, not a socket or device' :
    `a file that can be opened (${code ?? 'unknown error'})`;
}

/**
 * Opens a regular file for reading: never blocks (O_NONBLOCK), and refuses
 * whatever is not a regular file once open (fstat), closing it again.
 */
async function openRegular(path: string, property: string, operation: string, signal?: AbortSignal): Promise<fsp.FileHandle> {
  let handle: fsp.FileHandle;
  try {
    handle = await abortable(fsp.open(path, OPEN_FLAGS), signal, operation, (h) => void h.close().catch(noop));
  } catch (e) {
    if (e instanceof MediantError) throw e;
    return refuseFile(path, property, openFailure(e), operation);
  }
  try {
    const what = notAFile(await handle.stat());
    if (what !== undefined) refuseFile(path, property, what, operation);
    return handle;
  } catch (e) {
    await handle.close().catch(noop);
    throw e;
  }
}

/**
 * Checks the file before any request: it exists, can be read, and is a
 * regular file. A named pipe, socket, device or directory is refused at once
 * from a stat (which does not open it: opening a FIFO would wait for a
 * writer, pinning one of libuv's four threads); the open that follows never
 * blocks either. Returns the size.
 */
async function checkFile(path: unknown, operation: string, property: string, signal?: AbortSignal): Promise<number> {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) refuseFile(path, property, 'the path of a file', operation);
  const p = path as string;
  let st: Stats;
  try {
    st = await abortable(fsp.stat(p), signal, operation);
  } catch (e) {
    if (e instanceof MediantError) throw e;
    return refuseFile(p, property, openFailure(e), operation);
  }
  const what = notAFile(st);
  if (what !== undefined) refuseFile(p, property, what, operation);
  const handle = await openRegular(p, property, operation, signal);
  try {
    return (await handle.stat()).size;
  } finally {
    await handle.close().catch(noop);
  }
}

/** One attempt's read of a file: opened (without blocking) when the body is first read, closed by dispose. */
function fileSource(path: string, operation: string, property: string): Source {
  let stream: ReadStream | undefined;
  let disposed = false;
  async function* chunks(): AsyncIterable<Buffer> {
    const handle = await openRegular(path, property, operation);
    if (disposed) {
      await handle.close().catch(noop);
      return;
    }
    stream = handle.createReadStream({ highWaterMark: CHUNK });
    yield* stream as AsyncIterable<Buffer>;
  }
  return {
    chunks: chunks(),
    dispose: () => {
      disposed = true;
      stream?.destroy();
    },
  };
}

interface Source {
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer>;
  dispose(): void;
}

function fromSource(opts: PrepareOptions, filename: string, size: number | undefined, retryable: boolean, openSource: () => Source): PreparedUpload {
  const prepared: PreparedUpload = {
    multipart: opts.multipart,
    size,
    retryable,
    open(tracker: UploadTracker): OpenedBody {
      const src = openSource();
      tracker.sent = 0;
      tracker.total = size;
      if (!prepared.multipart) {
        return { body: track(src.chunks, tracker, opts.operation), contentType: 'application/octet-stream', contentLength: size, dispose: src.dispose };
      }
      const boundary = `----mediant${randomBytes(12).toString('hex')}`;
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeFilename(filename, opts.defaultFilename)}"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
        'latin1',
      );
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
      return {
        body: multipart(head, track(src.chunks, tracker, opts.operation), tail),
        contentType: `multipart/form-data; boundary=${boundary}`,
        contentLength: size === undefined ? undefined : head.length + size + tail.length,
        dispose: src.dispose,
      };
    },
  };
  return prepared;
}

/** A file name fit for a quoted header parameter: printable ASCII without `"` or `\`. */
function safeFilename(name: string, fallback: string): string {
  const s = name.replace(/[^\x20-\x7e]|["\\]/g, '_').slice(0, 200);
  return s.trim() === '' ? fallback : s;
}

function* bufferChunks(b: Buffer): Iterable<Buffer> {
  for (let i = 0; i < b.length; i += CHUNK) yield b.subarray(i, Math.min(i + CHUNK, b.length));
}

/** Hands out the source's chunks, counting them; a failing source becomes a plain input error. */
async function* track(chunks: AsyncIterable<Buffer | string> | Iterable<Buffer>, t: UploadTracker, operation: string): AsyncIterable<Buffer> {
  const it = (Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : (chunks as Iterable<Buffer>)[Symbol.iterator]()) as
    | AsyncIterator<Buffer | string>
    | Iterator<Buffer>;
  for (;;) {
    let step: IteratorResult<Buffer | string>;
    try {
      step = await it.next();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      throw new MediantError('EINPUT', operation, `${operation} failed: the data to upload could not be read${typeof code === 'string' ? ` (${code})` : ''}`);
    }
    if (step.done) return;
    const c = step.value;
    const b = typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
    if (b.length === 0) continue;
    t.sent += b.length;
    t.touch();
    if (t.onProgress) {
      try {
        t.onProgress(t.sent, t.total);
      } catch {
        // a caller's progress callback must not break the upload
      }
    }
    yield b;
  }
}

async function* multipart(head: Buffer, body: AsyncIterable<Buffer>, tail: Buffer): AsyncIterable<Buffer> {
  yield head;
  yield* body;
  yield tail;
}

function noop(): void {
  /* nothing to release */
}
