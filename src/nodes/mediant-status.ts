/**
 * mediant-status: GET /status (vendor document section 8). msg.payload is the
 * status object as the device sends it.
 */
import { deviceOf, handleMessages } from './lib/flow-node';
import { useRuntimeI18n } from './lib/i18n';
import type { NodeAPI, Node, NodeDef } from './lib/red';

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);
  RED.nodes.registerType('mediant-status', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleMessages(this, deviceOf(RED, def), async (_msg, { device, signal }) => {
      const r = await device.client.getStatus(signal);
      const state = r.body?.operationalState;
      return {
        payload: r.body,
        statusCode: r.statusCode,
        // The device's own words, with any echo of the credentials cut out before they are shortened.
        summary: typeof state === 'string' && state !== '' ? device.client.redact(state).slice(0, 20) : String(r.statusCode),
      };
    });
  });
};
