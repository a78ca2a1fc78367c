/**
 * mediant-upload-file: PUT /files/<fileType> (vendor document section 6).
 * The body is a file on the Node-RED host named by `filename` / `msg.filename`
 * (streamed by the client, never read whole), else `msg.payload` (Buffer or
 * string). Large uploads show their progress in whole percent.
 */
import { MediantInputError } from '../client/errors';
import { FILE_TYPES, RESETTING_FILE_TYPES, type UploadBody } from '../client/types';
import { deviceOf, handleMessages } from './lib/flow-node';
import { useRuntimeI18n, t } from './lib/i18n';
import { registerNode } from './lib/migrations';
import { checks, fileFromMsgOrConfig, fromMsgOrConfig } from './lib/overrides';
import type { NodeAPI, Node, NodeDef } from './lib/red';

const TYPE = 'mediant-upload-file';

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);
  registerNode(RED, TYPE, function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleMessages(this, deviceOf(RED, def), async (msg, { device, signal, progress }) => {
      const fileType = fromMsgOrConfig(msg, 'fileType', def.fileType, checks.oneOf(FILE_TYPES));
      const file = fileFromMsgOrConfig(msg, def.filename);
      let body: UploadBody;
      if (file) {
        body = { path: file.path };
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
        r = await device.client.uploadFile(fileType, body, { onProgress, signal, ...(file ? { filenameProperty: file.property } : {}) });
      } finally {
        release?.();
      }
      return { payload: r.body ?? {}, statusCode: r.statusCode, summary: `${r.statusCode} ${fileType}` };
    });
  });
};
