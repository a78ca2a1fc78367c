/**
 * mediant-upload-file: PUT /files/<fileType> (vendor document section 6).
 * The body is a file on the Node-RED host named by `filename` / `msg.filename`
 * (streamed by the client, never read whole), else `msg.payload` (Buffer or
 * string). Large uploads show their progress in whole percent.
 */
import { promises as fs, constants as fsConstants } from 'node:fs';
import { MediantInputError } from '../client/errors';
import { FILE_TYPES, RESETTING_FILE_TYPES, type UploadBody } from '../client/types';
import { deviceOf, handleMessages } from './lib/flow-node';
import { useRuntimeI18n, t } from './lib/i18n';
import { checks, fromMsgOrConfig } from './lib/overrides';
import type { NodeAPI, Node, NodeDef, NodeMessage } from './lib/red';

const TYPE = 'mediant-upload-file';

/** Longest path shown in an error message. */
const MAX_SHOWN_PATH = 300;

/**
 * A refused file name. The message shows the whole path (up to 300
 * characters), not the short cut other refused values get: the user has to
 * see which file it was.
 */
function refusedFile(property: string, expected: string, raw: string): MediantInputError {
  const err = new MediantInputError(property, expected, raw);
  const shown = raw.length > MAX_SHOWN_PATH ? `${raw.slice(0, MAX_SHOWN_PATH)}…` : raw;
  err.message = `${property} must be ${expected}, got ${JSON.stringify(shown)}`;
  return err;
}

/**
 * The file to stream, from `msg.filename` or the node's `filename` property;
 * undefined when neither names one (then msg.payload is the body). A missing
 * or unreadable file, or a directory, is refused here, before any request.
 */
async function fileToSend(msg: NodeMessage, configured: unknown): Promise<{ path: string } | undefined> {
  const fromMsg = msg.filename !== undefined;
  const raw = fromMsg ? msg.filename : configured;
  const property = fromMsg ? 'msg.filename' : 'property filename';
  if (raw === '' || raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' || raw.includes('\0')) {
    throw new MediantInputError(property, 'the path of a file on the Node-RED host', raw);
  }
  let isDirectory: boolean;
  try {
    isDirectory = (await fs.stat(raw)).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const expected = code === 'ENOENT' || code === 'ENOTDIR' ? 'an existing file on the Node-RED host' : 'a file Node-RED may read';
    throw refusedFile(property, expected, raw);
  }
  if (isDirectory) throw refusedFile(property, 'a file, not a directory', raw);
  try {
    await fs.access(raw, fsConstants.R_OK);
  } catch {
    throw refusedFile(property, 'a file Node-RED may read (permission denied)', raw);
  }
  return { path: raw };
}

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);
  RED.nodes.registerType(TYPE, function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleMessages(this, deviceOf(RED, def), async (msg, { device, signal, progress }) => {
      const fileType = fromMsgOrConfig(msg, 'fileType', def.fileType, checks.oneOf(FILE_TYPES));
      const file = await fileToSend(msg, def.filename);
      let body: UploadBody;
      if (file) {
        body = file;
      } else if (Buffer.isBuffer(msg.payload) || typeof msg.payload === 'string') {
        body = msg.payload;
      } else {
        throw new MediantInputError('msg.payload', 'a Buffer or a string (the file content) when no file name is given', msg.payload);
      }
      let shown = -1;
      const onProgress = (sent: number, total: number | undefined): void => {
        if (!total) return;
        const percent = Math.min(100, Math.floor((sent * 100) / total));
        if (percent === shown) return;
        shown = percent;
        progress(t('status.uploading', { percent }, TYPE));
      };
      // A file that resets the device holds the device's `reset` claim while it
      // goes out, so it cannot cross a reset node's reset (or another such upload).
      const release = RESETTING_FILE_TYPES.includes(fileType) ? device.claim('reset') : undefined;
      let r;
      try {
        r = await device.client.uploadFile(fileType, body, { onProgress, signal });
      } finally {
        release?.();
      }
      return { payload: r.body ?? {}, statusCode: r.statusCode, summary: `${r.statusCode} ${fileType}` };
    });
  });
};
