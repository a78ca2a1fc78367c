/**
 * What every handler of the simulated REST API shares: the request context,
 * the ways to answer, the error answer in the key the resource's firmware
 * uses, and reading a small JSON body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLarge, readSmallBody } from './body';
import type { Device } from './device';

const JSON_MAX = 64 * 1024;

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  dev: Device;
  params: string[];
  query: URLSearchParams;
  onBytes: (n: number) => void;
  listenHost: string;
  /** The key of an error answer's text: "description", or "errorDescription" on the resources 7.4 added. */
  errorKey: 'description' | 'errorDescription';
}

export type Handler = (c: Ctx) => Promise<void> | void;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
  ) {
    super(description);
  }
}

export function send(c: Ctx, status: number, body: string | Buffer, type: string, headers: Record<string, string> = {}): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  c.res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(buf.length), ...headers });
  c.res.end(buf);
}

export function json(c: Ctx, status: number, obj: unknown, headers: Record<string, string> = {}): void {
  let text = JSON.stringify(obj, null, 4);
  // fault: malformed (truncated) JSON, with a matching Content-Length
  if (c.dev.faults.malformedJson) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  send(c, status, text, 'application/json', headers);
}

/** An answer without a body (204 carries no Content-Length, others say 0). */
export function empty(c: Ctx, status: number): void {
  c.res.writeHead(status, status === 204 ? {} : { 'Content-Length': '0' });
  c.res.end();
}

export function fail(c: Ctx, status: number, description: string, headers: Record<string, string> = {}): void {
  json(c, status, { [c.errorKey]: description }, headers);
}

export async function readJson(c: Ctx): Promise<Record<string, unknown>> {
  let buf: Buffer;
  try {
    buf = await readSmallBody(c.req, JSON_MAX, c.onBytes);
  } catch (e) {
    if (e instanceof BodyTooLarge) throw new HttpError(400, 'Request body is too large');
    throw e;
  }
  const text = buf.toString('utf8').trim();
  if (text === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Invalid JSON in request body');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new HttpError(400, 'Request body must be a JSON object');
  return v as Record<string, unknown>;
}

/** The device is gone (rebooting, down) by the time a long request ends: drop the connection like a device would. */
export function stillUp(c: Ctx): boolean {
  if (c.dev.up) return true;
  c.req.socket.destroy();
  return false;
}
