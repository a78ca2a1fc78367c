/**
 * What every flow node does with a message, written once: find its device,
 * show "requesting…", run the node's own call, and then either send the
 * message with `payload`, `statusCode` and `device` set (keeping every other
 * property of the input message) or hand the error to `done(err)` so a Catch
 * node receives it with the contract's message. A node's own file only says
 * what its call is.
 */
import type { MediantApi } from '../../client/types';
import { MediantError, isMediantError } from '../../client/errors';
import { t } from './i18n';
import type { NodeAPI, Node, NodeDef, NodeMessage } from './red';
import { clearStatus, setStatus, shortReason } from './status';

/** The runtime face of a `mediant-device` config node, as flow nodes see it. */
export interface DeviceNode extends Node {
  client: MediantApi;
  /** The config node's name, or `host:port`: what goes into `msg.device`. */
  deviceLabel: string;
  /**
   * Claim an exclusive operation on this device (e.g. `reset`); throws a
   * MediantBusyError while another claim of the same name is held. Call the
   * returned function to release it.
   */
  claim(operation: string): () => void;
}

export interface CallContext {
  device: DeviceNode;
  signal: AbortSignal;
  /** Show progress or a waiting state while the call runs (`restarting…`, `42 %`). */
  progress(text: string, phase?: 'busy' | 'waiting'): void;
}

export interface CallResult {
  payload: unknown;
  statusCode: number;
  /** Further msg properties to set (e.g. `filename`, `description`, `reset`). */
  extra?: Record<string, unknown>;
  /** Short status text on success; default: the status code. */
  summary?: string;
}

export function deviceOf(RED: NodeAPI, def: NodeDef): DeviceNode | undefined {
  const id = typeof def.device === 'string' ? def.device : '';
  const found = id ? RED.nodes.getNode(id) : null;
  return found && typeof found === 'object' && 'client' in found ? (found as DeviceNode) : undefined;
}

/**
 * Wire a flow node's `input` and `close` handlers. `call` checks the msg
 * (throwing MediantInputError before any request) and performs the request.
 */
export function handleMessages(
  node: Node,
  device: DeviceNode | undefined,
  call: (msg: NodeMessage, ctx: CallContext) => Promise<CallResult>,
): void {
  const running = new Set<AbortController>();
  if (!device) setStatus(node, 'error', t('status.noDevice'), false);

  node.on('input', (msg, send, done) => {
    if (!device) {
      done(new MediantError('EINPUT', 'input', t('error.noDevice')));
      return;
    }
    const ac = new AbortController();
    running.add(ac);
    const ctx: CallContext = {
      device,
      signal: ac.signal,
      progress: (text, phase = 'busy') => setStatus(node, phase, text, false),
    };
    setStatus(node, 'busy', t('status.requesting'), false);
    Promise.resolve()
      .then(() => call(msg, ctx))
      .then(
        (result) => {
          msg.payload = result.payload;
          msg.statusCode = result.statusCode;
          msg.device = device.deviceLabel;
          if (result.extra) Object.assign(msg, result.extra);
          setStatus(node, 'ok', result.summary ?? String(result.statusCode));
          send(msg);
          done();
        },
        (err: unknown) => {
          if (ac.signal.aborted) {
            // The node is closing (redeploy): the flow that sent this message is gone.
            done();
            return;
          }
          const error = isMediantError(err) ? err : new MediantError('ERESPONSE', 'node', String(err));
          if (error.statusCode !== undefined) msg.statusCode = error.statusCode;
          msg.device = device.deviceLabel;
          setStatus(node, 'error', shortReason(error));
          done(error);
        },
      )
      .finally(() => running.delete(ac));
  });

  node.on('close', (_removed, closed) => {
    for (const ac of running) ac.abort();
    running.clear();
    clearStatus(node);
    closed();
  });
}
