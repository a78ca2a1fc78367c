/**
 * A read on a timer (mediant-pm-read, mediant-kpi): one Poller per device
 * (its own timer and backoff, never two reads of a device at once), each
 * read a fresh message with the node's `topic`, `msg.device` and the call's
 * result, each failure to Catch with `msg.device` and `msg.statusCode`. For
 * one device the node's status is that device's (requesting…, the read's
 * summary, the error); for a fleet, the fleet's summary. The read itself is
 * the node's, the same function its input messages go through.
 */
import { MediantError, formatMs, isMediantError } from '../../client/errors';
import { Poller, type PollStatus } from '../../client/poller';
import type { DeviceChoice, DeviceNode } from './devices';
import { Fleet, type FleetUnit } from './fleet';
import type { CallResult } from './flow-node';
import { t } from './i18n';
import type { Node, NodeMessage } from './red';
import { setStatus, shortReason } from './status';

export interface TimedReadOptions {
  node: Node;
  choice: DeviceChoice;
  /** Seconds between reads; 0: no timer (nothing is started). */
  pollSeconds: number;
  /** msg.topic of each read's message. */
  topic: string;
  /** What the read is, for errors that are no MediantError. */
  operation: string;
  read(msg: NodeMessage, device: DeviceNode, signal: AbortSignal): Promise<CallResult>;
}

/** The first timer read comes shortly after the start, as an inject node's "once" does. */
const FIRST_READ_MS = 100;

/** Starts the node's timer reads (nothing when pollSeconds is 0); returns what stops them, for its close handler. */
export function startTimedReads(o: TimedReadOptions): () => Promise<void> {
  if (o.pollSeconds <= 0) return () => Promise.resolve();
  const { node } = o;
  const summaries = new Map<DeviceNode, string>();
  const fleet: Fleet<FleetUnit> = new Fleet<FleetUnit>({
    node,
    choice: o.choice,
    intervalMs: o.pollSeconds * 1000,
    firstPollMs: FIRST_READ_MS,
    showOne: (s, device) => showOne(node, s, summaries.get(device)),
    make: (device, plan) => {
      const label = device.deviceLabel;
      const failedMsg = (err: MediantError): NodeMessage => {
        const msg: NodeMessage = { topic: o.topic, device: label };
        if (err.statusCode !== undefined) msg.statusCode = err.statusCode;
        return msg;
      };
      const poller = new Poller<never>({
        pollMs: plan.timer ? o.pollSeconds * 1000 : 0,
        firstPollMs: plan.firstPollMs,
        operation: o.operation,
        // Every read is a message: every failed one reaches Catch (the backoff spaces them out).
        reportEach: true,
        hooks: {
          run: async (_inputs, signal) => {
            if (!fleet.isFleet) setStatus(node, 'busy', t('status.requesting'), false);
            const msg: NodeMessage = { topic: o.topic };
            const r = await o.read(msg, device, signal);
            if (signal.aborted) return { kind: 'ok', count: 0 };
            msg.payload = r.payload;
            msg.statusCode = r.statusCode;
            msg.device = label;
            if (r.extra) Object.assign(msg, r.extra);
            summaries.set(device, r.summary === undefined ? String(r.statusCode) : device.client.redact(r.summary));
            try {
              node.send(msg);
            } catch (e) {
              throw new MediantError('EINPUT', 'send', t('error.sendFailed', { reason: e instanceof Error ? e.message : String(e) }));
            }
            return { kind: 'ok', count: 1 };
          },
          settle: () => undefined,
          status: (s) => fleet.report(device, s),
          report: (err) => node.error(err, failedMsg(err)),
        },
      });
      return {
        start: () => poller.start(),
        stop: () => {
          poller.stop();
          return Promise.resolve();
        },
      };
    },
  });
  fleet.start();
  return () => fleet.close();
}

/** One device's status: what a message's read would show. */
function showOne(node: Node, s: PollStatus, summary: string | undefined): void {
  switch (s.phase) {
    case 'ok':
      setStatus(node, 'ok', summary ?? '');
      return;
    case 'unreachable':
      setStatus(node, 'waiting', t('status.retrying', { delay: formatMs(Math.round(s.retryMs ?? 0)) }), false);
      return;
    case 'error':
      setStatus(node, 'error', isMediantError(s.error) ? shortReason(s.error) : t('reason.failed'));
      return;
    default:
      return;
  }
}
