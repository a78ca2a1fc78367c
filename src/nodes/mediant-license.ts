/**
 * mediant-license: GET or PUT /license (vendor document section 10).
 *
 * `put` with an object msg.payload sends the key as application/json
 * (`licenseVersion`, optional `serialNumber`, `key`; not supported by HA
 * devices, which answer 409); a Buffer or string msg.payload is a license
 * file, sent as application/octet-stream. A successful PUT makes the device
 * reset to activate the license.
 */
import { MediantInputError } from '../client/errors';
import type { LicenseKey } from '../client/types';
import { deviceOf, handleMessages, type CallResult } from './lib/flow-node';
import { t, useRuntimeI18n } from './lib/i18n';
import { registerNode } from './lib/migrations';
import { checks, fromMsgOrConfig } from './lib/overrides';
import type { NodeAPI, Node, NodeDef } from './lib/red';

const SET = 'mediant-license';
const ACTIONS = ['get', 'put'] as const;
/** Serial numbers as the device shows them: letters and digits. */
const SERIAL = /^[A-Za-z0-9-]{1,64}$/;
/** A license key: printable characters without spaces, bounded. */
const KEY = /^[\x21-\x7e]{1,65536}$/;

/** The JSON license key from an object payload, every field checked before sending. */
function licenseKeyOf(p: Record<string, unknown>): LicenseKey {
  const version = p.licenseVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new MediantInputError('msg.payload.licenseVersion', 'an integer >= 1 (the device supports 1)', version, 'license');
  }
  if (typeof p.key !== 'string' || !KEY.test(p.key)) {
    throw new MediantInputError('msg.payload.key', 'a non-empty string (the license key)', p.key, 'license');
  }
  const key: LicenseKey = { licenseVersion: version, key: p.key };
  if (p.serialNumber !== undefined && p.serialNumber !== '') {
    if (typeof p.serialNumber !== 'string' || !SERIAL.test(p.serialNumber)) {
      throw new MediantInputError('msg.payload.serialNumber', 'a serial number of letters and digits, or nothing', p.serialNumber, 'license');
    }
    key.serialNumber = p.serialNumber;
  }
  return key;
}

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);
  registerNode(RED, 'mediant-license', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleMessages(this, deviceOf(RED, def), async (msg, { device, signal }): Promise<CallResult> => {
      const action = fromMsgOrConfig(msg, 'action', def.action || 'get', checks.oneOf(ACTIONS));
      if (action === 'get') {
        const r = await device.client.getLicense(signal);
        return { payload: r.body, statusCode: r.statusCode, summary: t('status.read', undefined, SET) };
      }
      const p = msg.payload;
      let r;
      if (Buffer.isBuffer(p) || (typeof p === 'string' && p.trim() !== '')) {
        r = await device.client.putLicenseFile(p, { signal });
      } else if (p !== null && typeof p === 'object' && !Array.isArray(p)) {
        r = await device.client.putLicense(licenseKeyOf(p as Record<string, unknown>), signal);
      } else {
        throw new MediantInputError(
          'msg.payload',
          'a license object {licenseVersion, serialNumber, key} or a license file (a Buffer or a non-empty string)',
          p,
          'license',
        );
      }
      return { payload: r.body ?? {}, statusCode: r.statusCode, summary: t('status.applied', undefined, SET) };
    });
  });
};
