/**
 * mediant-download-file: GET /files/ini or /files/cliScript (vendor document
 * sections 6.1.1 and 6.2.1). `msg.payload` is the file as UTF-8 text and
 * `msg.filename` a suggested name `<device>-<fileType>-<UTC timestamp>.<ini|txt>`.
 */
import { DOWNLOAD_FILE_TYPES, type DownloadFileType } from '../client/types';
import { deviceOf, handleMessages } from './lib/flow-node';
import { useRuntimeI18n } from './lib/i18n';
import { registerNode } from './lib/migrations';
import { checks, fromMsgOrConfig } from './lib/overrides';
import type { NodeAPI, Node, NodeDef } from './lib/red';

const EXTENSION: Record<DownloadFileType, string> = { ini: 'ini', cliScript: 'txt' };

/** `lab-sbc`, `10.0.0.1_443`: the device label with only file-name-safe characters. */
function safeFilePart(label: string): string {
  const safe = label.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return safe === '' ? 'mediant' : safe.slice(0, 64);
}

/** `20261128T064501Z`: UTC, no separators, so it sorts and is safe in any file system. */
function utcStamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

function suggestedFilename(deviceLabel: string, fileType: DownloadFileType, d = new Date()): string {
  return `${safeFilePart(deviceLabel)}-${fileType}-${utcStamp(d)}.${EXTENSION[fileType]}`;
}

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);
  registerNode(RED, 'mediant-download-file', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleMessages(this, deviceOf(RED, def), async (msg, { device, signal }) => {
      const fileType = fromMsgOrConfig(msg, 'fileType', def.fileType, checks.oneOf(DOWNLOAD_FILE_TYPES));
      const r = await device.client.downloadFile(fileType, signal);
      const text = r.body ?? '';
      return {
        payload: text,
        statusCode: r.statusCode,
        extra: { filename: suggestedFilename(device.deviceLabel, fileType) },
        summary: `${r.statusCode} ${fileType} · ${Buffer.byteLength(text)} bytes`,
      };
    });
  });
};
