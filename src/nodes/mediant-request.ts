/**
 * mediant-request: any call under /api/v1 that the other nodes do not cover
 * (navigation, section 4; endpoints of newer firmware). msg.payload is the
 * body of a PUT or POST (an object or array as JSON, always; a Buffer or
 * string as application/octet-stream; null or nothing for no body); a file
 * on the Node-RED host is streamed only when named by `filename` /
 * `msg.filename`, as in mediant-upload-file. GET and DELETE send no body.
 * msg.payload out: parsed JSON, a string for text, a Buffer otherwise, null
 * when the device answered 204; msg.responseHeaders: the device's response
 * headers.
 *
 * `notFound: "output"` makes a 404 a result, not an error: msg.statusCode 404
 * and msg.payload null on the output, a green status, nothing at Catch. For a
 * flow where "gone" is the normal answer (the Remediation example asks
 * whether an alarm is still active). Missing or "error": a 404 is an error,
 * as before the property existed.
 */
import { MediantHttpError, MediantInputError } from '../client/errors';
import type { HttpMethod } from '../client/types';
import { HTTP_METHODS, checkApiPath } from '../client/validate';
import { deviceOf, handleMessages } from './lib/flow-node';
import { useRuntimeI18n } from './lib/i18n';
import { registerNode } from './lib/migrations';
import { checks, fileFromMsgOrConfig, fromMsgOrConfig, type Check } from './lib/overrides';
import type { NodeAPI, Node, NodeDef, NodeMessage } from './lib/red';

/** GET, PUT, POST, DELETE in any letter case (as the core http request node takes msg.method). */
const method: Check<HttpMethod> = {
  expected: `one of ${HTTP_METHODS.join(', ')}`,
  parse: (v) => {
    const m = typeof v === 'string' ? v.trim().toUpperCase() : undefined;
    return m !== undefined && (HTTP_METHODS as readonly string[]).includes(m) ? (m as HttpMethod) : undefined;
  },
};

function bodyOf(msg: NodeMessage, m: HttpMethod): unknown {
  if (m === 'GET' || m === 'DELETE') return undefined;
  const p = msg.payload;
  if (p === undefined || p === null) return undefined;
  // Buffers and strings go as application/octet-stream; plain objects and
  // arrays as JSON, always (the client never reads a file for a `{ path }`).
  if (Buffer.isBuffer(p) || typeof p === 'string' || p instanceof Uint8Array) return p;
  if (typeof p === 'object' && (Array.isArray(p) || Object.getPrototypeOf(p) === Object.prototype || Object.getPrototypeOf(p) === null)) return p;
  throw new MediantInputError('msg.payload', `an object, an array, a Buffer, a string or null (no body) for ${m}`, p, 'request');
}

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);
  registerNode(RED, 'mediant-request', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleMessages(this, deviceOf(RED, def), async (msg, { device, signal }) => {
      const m = fromMsgOrConfig(msg, 'method', def.method || 'GET', method);
      const path = fromMsgOrConfig(msg, 'path', def.path, checks.nonEmptyString);
      // The path is checked here so that a refusal names msg.path or the property.
      checkApiPath(path.trim(), msg.path !== undefined ? 'msg.path' : 'property path', 'request');
      const where = path.trim().split('?')[0] ?? '';
      const operation = `${m} ${where.length > 70 ? `${where.slice(0, 69)}…` : where}`;
      const file = fileFromMsgOrConfig(msg, def.filename);
      if (file && (m === 'GET' || m === 'DELETE')) throw new MediantInputError(file.property, `nothing for ${m} (a file is sent with PUT or POST)`, file.path, operation);
      const req = file
        ? { method: m, path: path.trim(), file: file.path, fileProperty: file.property, operation, signal }
        : { method: m, path: path.trim(), body: bodyOf(msg, m), operation, signal };
      let r;
      try {
        r = await device.client.request(req);
      } catch (e) {
        if (!(def.notFound === 'output' && e instanceof MediantHttpError && e.statusCode === 404)) throw e;
        return { payload: null, statusCode: 404, extra: { responseHeaders: {} }, summary: `${m} 404 ${e.statusText}` };
      }
      return {
        payload: r.body,
        statusCode: r.statusCode,
        // Not msg.headers: a core http request node further down the flow would
        // send those (content-length included) as its own request headers.
        extra: { responseHeaders: { ...r.headers } },
        summary: `${m} ${r.statusCode}`,
      };
    });
  });
};
