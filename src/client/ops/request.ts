/**
 * Any other call under /api/v1 (navigation, newer endpoints): the path
 * allow-listed, an object body always as JSON, a file only when asked for by
 * name, the answer read by its media type.
 */
import { MediantInputError, PathValue } from '../errors';
import { isReadable, prepareUpload } from '../body';
import type { Call } from '../exchange';
import { redactHeaders } from '../parse';
import { checkSignal, type Transport } from '../transport';
import { checkApiPath, checkMethod } from '../validate';
import type { ApiResponse, GenericRequest } from '../types';

export function request(t: Transport, req: GenericRequest): Promise<ApiResponse<unknown>> {
  const operation = req && typeof req === 'object' ? checkOperationName(req.operation) : 'request';
  return t.guard(operation, async () => {
    if (!req || typeof req !== 'object') throw new MediantInputError('request', 'an object with method and path', req, operation);
    const method = checkMethod(req.method, 'method', operation);
    const path = checkApiPath(req.path, 'path', operation);
    const signal = checkSignal(req.signal, operation);
    const accept = req.accept === undefined ? undefined : checkAccept(req.accept, operation);
    const call: Call = { operation, method, path, headers: t.h.getAny, expect: 'auto', empty: 'null', signal };
    if (accept !== undefined) call.headers = t.headers(accept);
    const b = req.body;
    const fileProperty = typeof req.fileProperty === 'string' && req.fileProperty.length <= 60 ? req.fileProperty : 'file';
    let res: ApiResponse<unknown>;
    if (req.file !== undefined && req.file !== null) {
      // A file on disk is sent only when asked for by name, never because a body looks like { path }.
      if (method === 'GET' || method === 'DELETE') throw new MediantInputError(fileProperty, `nothing for a ${method} request`, new PathValue(String(req.file)), operation);
      if (b !== undefined && b !== null) throw new MediantInputError('body', 'nothing when a file is sent', b, operation);
      const upload = await prepareUpload({ path: req.file }, { multipart: false, defaultFilename: 'body.bin', operation, property: fileProperty, filenameProperty: fileProperty, signal });
      res = await t.perform(call, upload);
    } else if (b === undefined || b === null) {
      res = await t.perform(call);
    } else {
      if (method === 'GET') throw new MediantInputError('body', 'nothing for a GET request', b, operation);
      if (Buffer.isBuffer(b) || typeof b === 'string' || b instanceof Uint8Array || isReadable(b)) {
        const upload = await prepareUpload(b, { multipart: false, defaultFilename: 'body.bin', operation, property: 'body', signal });
        res = await t.perform(call, upload);
      } else {
        // Objects and arrays go as JSON, always: `{ "path": "/etc/passwd" }` is data, not a file to send.
        let json: string | undefined;
        try {
          json = JSON.stringify(b);
        } catch {
          json = undefined;
        }
        if (json === undefined) throw new MediantInputError('body', 'a value that can be sent as JSON', b, operation);
        call.headers = accept === undefined ? t.h.sendAny : t.headers(accept, 'application/json');
        call.body = json;
        res = await t.perform(call);
      }
    }
    // The answer's headers go to the caller as they are, less any echo of the credentials.
    res.headers = redactHeaders(res.headers, (text) => t.redact(text));
    return res;
  });
}

/** Media ranges for an Accept header: `type/subtype` with parameters, comma-separated; nothing else. */
const ACCEPT_HEADER = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+\/[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*;\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+=[A-Za-z0-9.!#$%&'*+^_`|~-]+)*(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+\/[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*;\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+=[A-Za-z0-9.!#$%&'*+^_`|~-]+)*)*$/;

function checkAccept(v: unknown, operation: string): string {
  if (typeof v === 'string' && v.length <= 200 && ACCEPT_HEADER.test(v)) return v;
  throw new MediantInputError('accept', 'media types such as application/json', v, operation);
}

function checkOperationName(v: unknown): string {
  // eslint-disable-next-line no-control-regex
  if (typeof v === 'string' && v.length > 0 && v.length <= 80 && !/[\u0000-\u001f\u007f]/.test(v)) return v;
  return 'request';
}
