/**
 * How a node ends a message's handling, written once for every send path
 * (flow-node.ts, and the alarms node's own). Node-RED copies the message in
 * `done(err)` and `node.error(err, msg)` (for each Catch node) and in
 * `done()` (for each Complete node), and reads `msg.hasOwnProperty` there.
 * A message it cannot copy (nested too deep, a getter that throws, an own
 * `hasOwnProperty` key) makes those calls throw: out of a promise handler,
 * that is an unhandled rejection and Node-RED exits. Here such a failure
 * still reaches the Catch node, with what can be said of the message.
 */
import { MediantError } from '../../client/errors';
import { t } from './i18n';
import type { DoneFn, Node, NodeMessage } from './red';

/** A short, one-line reason from something thrown that is not a MediantError. */
export function reasonOf(e: unknown): string {
  let text: string;
  try {
    text = e instanceof Error ? `${e.name}: ${e.message}` : typeof e === 'string' ? e : 'unknown error';
  } catch {
    text = 'unknown error';
  }
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** What a Catch node can still be given of a message that cannot be copied. */
export function bareCopy(msg: NodeMessage, error: MediantError | undefined, deviceLabel: string): NodeMessage {
  const out: NodeMessage = deviceLabel ? { device: deviceLabel } : {};
  try {
    if (typeof msg._msgid === 'string') out._msgid = msg._msgid;
    if (typeof msg.topic === 'string') out.topic = msg.topic;
  } catch {
    // a getter that throws: left out
  }
  if (error?.statusCode !== undefined) out.statusCode = error.statusCode;
  return out;
}

/** node.error(err, msg); for a message that cannot be copied, with its bare copy instead. */
export function errorToCatch(node: Node, error: MediantError, msg: NodeMessage, deviceLabel: string): void {
  try {
    node.error(error, msg);
  } catch {
    node.error(error, bareCopy(msg, error, deviceLabel));
  }
}

/**
 * Ends a message: `done(err)` with `msg.statusCode` and `msg.device` set as
 * the contract says, or `done()`. Never throws: when Node-RED cannot copy the
 * message, the error (or, on success, the copy's failure) reaches Catch with
 * the message's bare copy.
 */
export function endMessage(node: Node, done: DoneFn, msg: NodeMessage, deviceLabel: string, err?: MediantError): void {
  if (err) {
    try {
      if (err.statusCode !== undefined) msg.statusCode = err.statusCode;
      if (deviceLabel) msg.device = deviceLabel;
      done(err);
    } catch {
      node.error(err, bareCopy(msg, err, deviceLabel));
    }
    return;
  }
  try {
    done();
  } catch (e) {
    const error = new MediantError('ERESPONSE', 'node', t('error.failed', { reason: reasonOf(e) }));
    node.error(error, bareCopy(msg, error, deviceLabel));
  }
}
