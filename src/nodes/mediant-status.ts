/**
 * mediant-status: GET /status (vendor document section 8). msg.payload is the
 * status object as the device sends it, 7.x fields included; msg.saveNeeded
 * and msg.resetNeeded are those two fields as booleans, whatever JSON type
 * the device used (7.2 sends "true"/"false", 7.4 true/false).
 */
import { statusFlag } from '../client/ops/status';
import { deviceOf, handleMessages } from './lib/flow-node';
import { t, useRuntimeI18n } from './lib/i18n';
import { registerNode } from './lib/migrations';
import type { NodeAPI, Node, NodeDef } from './lib/red';

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);
  registerNode(RED, 'mediant-status', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleMessages(this, deviceOf(RED, def), async (_msg, { device, signal }) => {
      const r = await device.client.getStatus(signal);
      const body: Record<string, unknown> = r.body !== null && typeof r.body === 'object' ? r.body : {};
      const state = body.operationalState;
      const extra: Record<string, unknown> = {};
      const saveNeeded = statusFlag(body.saveNeeded);
      const resetNeeded = statusFlag(body.resetNeeded);
      if (saveNeeded !== undefined) extra.saveNeeded = saveNeeded;
      if (resetNeeded !== undefined) extra.resetNeeded = resetNeeded;
      // The device's own words, with any echo of the credentials cut out before they are shortened.
      let summary = typeof state === 'string' && state !== '' ? device.client.redact(state).slice(0, 20) : String(r.statusCode);
      if (resetNeeded === true) summary += ` · ${t('status.resetNeeded', undefined, 'mediant-status')}`;
      else if (saveNeeded === true) summary += ` · ${t('status.saveNeeded', undefined, 'mediant-status')}`;
      return { payload: r.body, statusCode: r.statusCode, extra, summary };
    });
  });
};
