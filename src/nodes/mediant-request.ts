/**
 * mediant-request: any call under /api/v1 that the other nodes do not cover
 * (navigation, section 4; endpoints of newer firmware). msg.payload is the
 * body of a PUT or POST (an object as JSON, a Buffer or string as
 * application/octet-stream, null or nothing for no body); GET and DELETE send
 * no body. msg.payload out: parsed JSON, a string for text, a Buffer
 * otherwise, null when the device answered 204; msg.responseHeaders: the
 * device's response headers.
 */
import { MediantInputError } from '../client/errors';
import type { HttpMethod } from '../client/types';
import { HTTP_METHODS, checkApiPath } from '../client/validate';
import { deviceOf, handleMessages } from './lib/flow-node';
import { useRuntimeI18n } from './lib/i18n';
import { checks, fromMsgOrConfig, type Check } from './lib/overrides';
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
  // Objects and arrays go as JSON; Buffers and strings as application/octet-stream.
  if (Buffer.isBuffer(p) || typeof p === 'string' || typeof p === 'object') return p;
  throw new MediantInputError('msg.payload', `an object, an array, a Buffer, a string or null (no body) for ${m}`, p, 'request');
}

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);
  RED.nodes.registerType('mediant-request', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleMessages(this, deviceOf(RED, def), async (msg, { device, signal }) => {
      const m = fromMsgOrConfig(msg, 'method', def.method || 'GET', method);
      const path = fromMsgOrConfig(msg, 'path', def.path, checks.nonEmptyString);
      // The path is checked here so that a refusal names msg.path or the property.
      checkApiPath(path.trim(), msg.path !== undefined ? 'msg.path' : 'property path', 'request');
      const body = bodyOf(msg, m);
      const where = path.trim().split('?')[0] ?? '';
      const operation = `${m} ${where.length > 70 ? `${where.slice(0, 69)}…` : where}`;
      const r = await device.client.request({ method: m, path: path.trim(), body, operation, signal });
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
