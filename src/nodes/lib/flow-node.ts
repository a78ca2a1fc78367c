/**
 * What every flow node does with a message, written once: find its device,
 * run the node's own call (showing "requesting…" once it sends), and then either send the
 * message with `payload`, `statusCode` and `device` set (keeping every other
 * property of the input message) or hand the error to `done(err)` so a Catch
 * node receives it with the contract's message. A node's own file only says
 * what its call is.
 */
import { MediantError, isMediantError } from '../../client/errors';
import { deviceOf, type DeviceChoice, type DeviceNode } from './devices';
import { bareCopy, endMessage, reasonOf } from './finish';
import { t } from './i18n';
import type { Node, NodeMessage, SendFn } from './red';
import { clearStatus, setStatus, shortReason } from './status';

export { deviceOf, type DeviceChoice, type DeviceNode };

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

/** Client members that send nothing: using them is not "requesting". */
const QUIET = new Set<PropertyKey>(['redact', 'target', 'close', 'destroy', 'then']);

/**
 * The device as a node's call sees it: the same device, whose client calls
 * `onSend` just before it is first asked to send anything. So the status
 * says "requesting…" only once the message passed its checks and a request
 * goes out — a message refused for a bad property never shows it.
 */
function sendingVia(device: DeviceNode, onSend: () => void): DeviceNode {
  const client = new Proxy(device.client, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      // Bound to the client itself: its methods read private fields, which a proxy does not have.
      const quiet = QUIET.has(prop);
      return (...args: unknown[]): unknown => {
        if (!quiet) onSend();
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return Object.create(device, { client: { value: client } }) as DeviceNode;
}

/**
 * Wire a flow node's `input` and `close` handlers. `call` checks the msg
 * (throwing MediantInputError before any request) and performs the request
 * on the device the node's choice picks for the message (`deviceFrom`: its
 * own device, or the one `msg.device` names). A fleet node (`all`, `group`)
 * given a message that names no device acts on every device of the fleet:
 * one message out per device, each failure to Catch with its `msg.device`.
 */
export function handleMessages(
  node: Node,
  choice: DeviceChoice,
  call: (msg: NodeMessage, ctx: CallContext) => Promise<CallResult>,
): void {
  const running = new Set<AbortController>();
  if (choice.problem) setStatus(node, 'error', choice.configured || choice.from !== 'node' ? t('status.badSetting') : t('status.noDevice'), false);
  // The device's own settings cannot work (an environment variable not set): said at once, not at the first message.
  else if (choice.configured?.problem) setStatus(node, 'error', shortReason(choice.configured.problem), false);

  /**
   * One call on one device for one message. `finish` is the message's done
   * (or, for one device of a fleet, what reports its failure to Catch).
   */
  const act = (msg: NodeMessage, device: DeviceNode, send: SendFn, finish: (err?: Error) => void): Promise<void> => {
    const ac = new AbortController();
    running.add(ac);
    /** Whether the status already says what the call does (requesting…, or the node's own progress). */
    let shown = false;
    const ctx: CallContext = {
      device: sendingVia(device, () => {
        if (shown) return;
        shown = true;
        setStatus(node, 'busy', t('status.requesting'), false);
      }),
      signal: ac.signal,
      progress: (text, phase = 'busy') => {
        shown = true;
        setStatus(node, phase, text, false);
      },
    };
    /** finish() is called once; if it throws (a Complete node's copy of the message), the error goes by node.error. */
    let doneCalled = false;
    const end = (err?: Error): void => {
      doneCalled = true;
      finish(err);
    };

    const succeed = async (): Promise<void> => {
      // A device whose settings cannot work refuses every call with why (MEDIANT_HOST not set).
      if (device.problem) throw device.problem;
      const result = await call(msg, ctx);
      msg.payload = result.payload;
      msg.statusCode = result.statusCode;
      msg.device = device.deviceLabel;
      if (result.extra) Object.assign(msg, result.extra);
      // A summary may quote the device (its state, a value): never its echo of the credentials.
      setStatus(node, 'ok', result.summary === undefined ? String(result.statusCode) : device.client.redact(result.summary));
      try {
        // Node-RED copies the message here for every wire but the first: a
        // message that cannot be copied (nested too deep, a getter that throws)
        // throws out of send().
        send(msg);
      } catch (e) {
        throw new MediantError('EINPUT', 'send', t('error.sendFailed', { reason: reasonOf(e) }));
      }
      end();
    };
    const fail = (err: unknown): void => {
      if (ac.signal.aborted) {
        // The node is closing (redeploy): the flow that sent this message is gone.
        if (!doneCalled) end();
        return;
      }
      const error = isMediantError(err) ? err : new MediantError('ERESPONSE', 'node', t('error.failed', { reason: reasonOf(err) }));
      setStatus(node, 'error', shortReason(error));
      if (doneCalled) {
        node.error(error, bareCopy(msg, error, device.deviceLabel));
        return;
      }
      try {
        if (error.statusCode !== undefined) msg.statusCode = error.statusCode;
        msg.device = device.deviceLabel;
        end(error);
      } catch {
        // The Catch node gets a copy of the message, and this one cannot be
        // copied: it gets what can be said about it instead.
        node.error(error, bareCopy(msg, error, device.deviceLabel));
      }
    };
    // Every path ends in a handler: whatever the call, the message or a
    // handler throws becomes an error at the Catch node and a red status,
    // and the node keeps taking messages.
    return succeed()
      .catch(fail)
      .catch((e: unknown) => {
        setStatus(node, 'error', t('reason.failed'));
        node.error(t('error.failed', { reason: reasonOf(e) }));
      })
      .finally(() => running.delete(ac))
      .catch(() => undefined);
  };

  node.on('input', (msg, send, done) => {
    let devices: DeviceNode[];
    try {
      // Which device: checked before anything is sent (an unknown or ambiguous name is refused here).
      const picked = choice.pick(msg);
      devices = picked ? [picked] : choice.fleet ? choice.members() : [];
      if (devices.length === 0) {
        throw choice.fleet ? new MediantError('EINPUT', 'input', t('error.fleetEmpty', { group: choice.group })) : new MediantError('EINPUT', 'input', t('error.noDevice'));
      }
    } catch (err) {
      const error = isMediantError(err) ? err : new MediantError('EINPUT', 'input', t('error.failed', { reason: reasonOf(err) }));
      setStatus(node, 'error', shortReason(error));
      endMessage(node, done, msg, '', error);
      return;
    }
    const only = devices.length === 1 ? devices[0] : undefined;
    if (only) {
      void act(msg, only, send, done);
      return;
    }
    // A fleet: a copy of the message per device; each failure reaches Catch with its device, done once all ended.
    const clone = choice.clone;
    void Promise.all(
      devices.map((d) => {
        let copy: NodeMessage;
        try {
          copy = clone(msg);
        } catch (e) {
          const error = new MediantError('EINPUT', 'send', t('error.sendFailed', { reason: reasonOf(e) }));
          node.error(error, bareCopy(msg, error, d.deviceLabel));
          return Promise.resolve();
        }
        return act(copy, d, send, (err) => {
          if (err) node.error(err, copy);
        });
      }),
    )
      .then(() => endMessage(node, done, msg, ''))
      .catch(() => undefined);
  });

  node.on('close', (_removed, closed) => {
    for (const ac of running) ac.abort();
    running.clear();
    clearStatus(node);
    closed();
  });
}
