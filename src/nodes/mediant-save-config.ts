/**
 * mediant-save-config: POST /actions/saveConfiguration (vendor document
 * section 5.2): stores the running configuration in non-volatile memory.
 * msg.payload is the device's JSON answer, {} where the body is empty.
 */
import { deviceOf, handleMessages } from './lib/flow-node';
import { t, useRuntimeI18n } from './lib/i18n';
import { registerNode } from './lib/migrations';
import type { NodeAPI, Node, NodeDef } from './lib/red';

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);
  registerNode(RED, 'mediant-save-config', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleMessages(this, deviceOf(RED, def), async (_msg, { device, signal }) => {
      const r = await device.client.saveConfiguration(signal);
      return { payload: r.body ?? {}, statusCode: r.statusCode, summary: t('status.saved', undefined, 'mediant-save-config') };
    });
  });
};
