/**
 * mediant-run-cli: PUT /files/cliScript/incremental (vendor document section
 * 6.2.2): runs CLI commands without a reset and returns their output. The
 * script is msg.payload when that is a non-empty string, else the node's
 * `script` property.
 *
 * A script the device reports as failed (firmware 7.x: 200 with a status
 * other than "success") is an error at the Catch node, with msg.payload the
 * device's output and msg.description its description, as on success.
 */
import { MediantDeviceError, MediantInputError } from '../client/errors';
import { deviceOf, handleMessages } from './lib/flow-node';
import { useRuntimeI18n } from './lib/i18n';
import { registerNode } from './lib/migrations';
import { checks } from './lib/overrides';
import type { NodeAPI, Node, NodeDef, NodeMessage } from './lib/red';

function scriptOf(msg: NodeMessage, configured: unknown): string {
  const fromPayload = checks.nonEmptyString.parse(msg.payload);
  if (fromPayload !== undefined) return fromPayload;
  const fromProperty = checks.nonEmptyString.parse(configured);
  if (fromProperty !== undefined) return fromProperty;
  throw new MediantInputError('msg.payload', 'a non-empty string (the CLI script) when the node has no script', msg.payload);
}

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);
  registerNode(RED, 'mediant-run-cli', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleMessages(this, deviceOf(RED, def), async (msg, { device, signal }) => {
      const script = scriptOf(msg, def.script);
      let r;
      try {
        r = await device.client.runCliScript(script, signal);
      } catch (e) {
        if (e instanceof MediantDeviceError) {
          // what the device printed goes to the Catch node with the error, where a remediation flow reads it
          msg.payload = e.output ?? '';
          msg.description = e.description ?? '';
        }
        throw e;
      }
      const body = r.body ?? {};
      return {
        payload: typeof body.output === 'string' ? body.output : '',
        statusCode: r.statusCode,
        extra: { description: typeof body.description === 'string' ? body.description : '' },
      };
    });
  });
};
