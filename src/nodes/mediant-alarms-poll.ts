/**
 * mediant-alarms-poll: reads `/alarms/active` or `/alarms/history` (vendor
 * document section 7) and sends each raise, clear or history entry once.
 * The reading and the "once" are the AlarmSync engine's (src/client/alarm-sync.ts);
 * this file runs it on a timer and on input messages, keeps its state in the
 * node's context and turns its events into messages.
 *
 * Why not `handleMessages`: that wrapper sends exactly one message per input
 * message. A poll sends none, one or many (one per event), runs on its own
 * timer as well as on input, and several input messages that arrive during a
 * poll share the next one. So the send path is written here, with the same
 * status helper (`setStatus`/`shortReason`) and the same error path
 * (`done(err)` for a message's poll, `node.error(err, msg)` for a timer's,
 * so a Catch node receives both).
 *
 * Polling: the next poll is scheduled only when the previous one has ended
 * (a setTimeout chain), so polls never overlap; a message arriving during a
 * poll is queued, and all messages queued share one poll that starts when the
 * running one ends. While the device is unreachable (network error, timeout)
 * the delay doubles, up to 5 minutes (or the poll interval when that is
 * longer), and the status says when the next try is. A timer poll's error
 * goes to Catch once per outage: again only when the error changes, or after
 * a successful poll. Timers stop and a running poll is abandoned on close.
 *
 * State: the engine's state is stored in the node's context (key `state`,
 * default store) after every successful poll, and read back when the node
 * starts. Node-RED deletes a node's context whenever the node is stopped
 * (every redeploy of it) unless a context store is configured in settings.js
 * (`contextStorage`); the default settings configure none. So that a plain
 * redeploy does not report every active alarm again, the node then also keeps
 * the last state per node id in this process. A restart of Node-RED keeps
 * the state only with a persistent store (`localfilesystem`).
 *
 * Delivery: after a successful poll the node sends the poll's messages first
 * and then stores the engine's state in the node's context. A crash between
 * the two (or before a persistent store has written the state to disk) means
 * the state of the poll before is read after the restart, and that poll's
 * events are sent again: at-least-once, never lost. Storing first would turn
 * that into at-most-once (events lost on a crash), which is worse for alarms.
 */
import { AlarmSync, type AlarmEvent, type PollResult } from '../client/alarm-sync';
import { MediantError, formatMs, isMediantError } from '../client/errors';
import type { AlarmDetails, AlarmType } from '../client/types';
import { checkAlarmId } from '../client/validate';
import { deviceOf } from './lib/flow-node';
import { t, useRuntimeI18n } from './lib/i18n';
import { checks, fromConfig } from './lib/overrides';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, SendFn } from './lib/red';
import { clearStatus, clock, setStatus, shortReason } from './lib/status';

const TYPE = 'mediant-alarms-poll';
const STATE_KEY = 'state';

/** The first timer poll comes shortly after the start, as an inject node's "once" does. */
const FIRST_POLL_MS = 100;
/** Backoff while unreachable: doubling up to this (or the poll interval when longer). */
const MAX_BACKOFF_MS = 5 * 60 * 1000;
/** setTimeout cannot wait longer than 2^31-1 ms (about 24.8 days). */
const MAX_POLL_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

const alarmTypeCheck = checks.oneOf<AlarmType>(['active', 'history']);
const outputCheck = checks.oneOf<'events' | 'snapshot'>(['events', 'snapshot']);
/** Seconds, decimals allowed (tests and fast labs poll more than once a second). */
const secondsCheck = {
  expected: `a number of seconds from 0 to ${MAX_POLL_SECONDS}`,
  parse: (v: unknown): number | undefined => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{1,10}(\.\d{1,3})?\s*$/.test(v) ? Number(v) : NaN;
    return Number.isFinite(n) && n >= 0 && n <= MAX_POLL_SECONDS ? n : undefined;
  },
};

function unreachable(err: MediantError): boolean {
  return err.code === 'ENETWORK' || err.code === 'ETIMEOUT';
}

type Kind = AlarmEvent['event'] | 'get';

interface Waiting {
  msg: NodeMessage;
  send: SendFn;
  done: DoneFn;
}

type Runtime = NodeAPI & { util: { cloneMessage<M>(m: M): M }; settings?: { contextStorage?: unknown } };

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);
  const clone = <M>(m: M): M => (RED as Runtime).util.cloneMessage(m);
  /** Without a configured context store, Node-RED wipes node context on every stop (see above). */
  const contextWipedOnStop = !(RED as Runtime).settings?.contextStorage;
  /** node id -> last state, for redeploys when the context is wiped (this process only). */
  const lastStates = new Map<string, unknown>();

  RED.nodes.registerType(TYPE, function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const device = deviceOf(RED, def);

    let alarmType: AlarmType = 'active';
    let pollSeconds = 30;
    let emitExisting = true;
    let output: 'events' | 'snapshot' = 'events';
    let configError: MediantError | undefined;
    try {
      alarmType = fromConfig(def, 'alarmType', alarmType, alarmTypeCheck);
      pollSeconds = fromConfig(def, 'pollInterval', pollSeconds, secondsCheck);
      emitExisting = fromConfig(def, 'emitExisting', emitExisting, checks.boolean);
      output = fromConfig(def, 'output', output, outputCheck);
    } catch (err) {
      configError = err as MediantError;
    }

    let engine: AlarmSync | undefined;
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    /** The running poll's abort handle; undefined when no poll runs. */
    let running: AbortController | undefined;
    /** Input messages for the next poll. */
    let waiting: Waiting[] = [];
    /** Detail reads for msg.alarmId under way (aborted on close). */
    const gets = new Set<AbortController>();
    /** Consecutive polls that found the device unreachable. */
    let outage = 0;
    /** The message of the last timer-poll error sent to Catch (once per outage). */
    let reported: string | undefined;
    /** What the status showed after the last poll, to restore after a msg.alarmId read. */
    let lastStatus: (() => void) | undefined;

    const text = (kind: Kind, a: AlarmDetails, label: string, when: string): string => {
      const key = kind === 'get' ? (alarmType === 'active' ? 'raised' : 'history') : kind;
      return t(
        `text.${key}`,
        {
          severity: String(a.severity ?? ''),
          description: String(a.description ?? ''),
          source: String(a.source ?? ''),
          device: label,
          date: String(a.date ?? ''),
          when,
        },
        TYPE,
      );
    };

    /** Fill one event's message (a copy of the input message, or a new one for a timer poll). */
    const eventMsg = (base: NodeMessage | undefined, kind: Kind, alarm: AlarmDetails, label: string, when: string, statusCode = 200): NodeMessage => {
      const msg: NodeMessage = base ? clone(base) : {};
      msg.payload = alarm;
      msg.event = kind;
      msg.topic = `${String(alarm.severity ?? '')}: ${String(alarm.description ?? '')}`;
      msg.text = text(kind, alarm, label, when);
      msg.statusCode = statusCode;
      msg.device = label;
      return msg;
    };

    const messagesOf = (r: PollResult, base: NodeMessage | undefined, label: string): NodeMessage[] => {
      const when = new Date().toISOString();
      if (output === 'events') return r.events.map((e) => eventMsg(base, e.event, e.alarm, label, when));
      const msg: NodeMessage = base ? clone(base) : { topic: `alarms/${alarmType}` };
      msg.payload = r.current;
      msg.raised = r.events.filter((e) => e.event === 'raised').map((e) => e.alarm);
      msg.cleared = r.events.filter((e) => e.event === 'cleared').map((e) => e.alarm);
      if (alarmType === 'history') msg.history = r.events.map((e) => e.alarm);
      msg.statusCode = 200;
      msg.device = label;
      return [msg];
    };

    const schedule = (delayMs: number): void => {
      if (closed || !engine || pollSeconds === 0) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        poll();
      }, delayMs);
    };

    const backoffMs = (): number => {
      const base = pollSeconds * 1000;
      return Math.min(base * 2 ** Math.min(outage, 30), Math.max(MAX_BACKOFF_MS, base));
    };

    const saveState = (r: PollResult): void => {
      const state = r.state;
      if (contextWipedOnStop) lastStates.set(node.id, state);
      node.context().set(STATE_KEY, state, undefined, (err) => {
        if (err) node.warn(t('warn.saveFailed', { reason: String(err.message ?? err) }, TYPE));
      });
    };

    /** One poll for the timer and for every message waiting; the next is chained when it ends. */
    function poll(): void {
      if (closed || !engine || running || !device) return;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const inputs = waiting;
      waiting = [];
      const ac = new AbortController();
      running = ac;
      const label = device.deviceLabel;
      // "polling…" when a message asked for this poll; a timer poll keeps the
      // last result on show (one status update per poll, not two).
      if (inputs.length > 0) setStatus(node, 'busy', t('status.polling', undefined, TYPE), false);
      engine
        .poll(ac.signal)
        .then(
          (r) => {
            if (ac.signal.aborted) return finishAborted(inputs);
            const last = inputs[inputs.length - 1];
            const msgs = messagesOf(r, last?.msg, label);
            // Send first, then store: a crash in between repeats these events, it never loses them.
            // One send per message: each is already its own object, and Node-RED
            // clones every message after the first of an array.
            const send = last ? last.send : node.send.bind(node);
            for (const m of msgs) send(m);
            if (r.changed) saveState(r);
            for (const w of inputs) w.done();
            if (outage > 0 || reported !== undefined) node.log(t('log.resumed', { device: label }, TYPE));
            outage = 0;
            reported = undefined;
            const summary =
              alarmType === 'active'
                ? t('status.active', { count: r.count }, TYPE)
                : t('status.history', { count: r.count }, TYPE);
            const okText = `${summary} · ${clock()}`;
            lastStatus = () => setStatus(node, 'ok', okText, false);
            lastStatus();
            schedule(pollSeconds * 1000);
          },
          (err: unknown) => {
            if (ac.signal.aborted) return finishAborted(inputs);
            const error = isMediantError(err) ? err : new MediantError('ERESPONSE', 'poll alarms', String(err));
            for (const w of inputs) {
              if (error.statusCode !== undefined) w.msg.statusCode = error.statusCode;
              w.msg.device = label;
              w.done(error);
            }
            if (inputs.length === 0 && error.message !== reported) {
              const msg: NodeMessage = { topic: `alarms/${alarmType}`, device: label };
              if (error.statusCode !== undefined) msg.statusCode = error.statusCode;
              node.error(error, msg);
            }
            reported = error.message;
            if (unreachable(error)) {
              outage++;
              if (pollSeconds > 0) {
                const delay = backoffMs();
                lastStatus = () => setStatus(node, 'waiting', t('status.unreachable', { delay: formatMs(Math.round(delay)) }, TYPE), false);
                lastStatus();
                schedule(delay);
                return;
              }
            } else {
              outage = 0;
            }
            const errorText = `${shortReason(error)} · ${clock()}`;
            lastStatus = () => setStatus(node, 'error', errorText, false);
            lastStatus();
            schedule(pollSeconds * 1000);
          },
        )
        .catch((err: unknown) => node.error(err))
        .finally(() => {
          if (running === ac) running = undefined;
          // Messages that came during this poll share the next one, now.
          if (!closed && waiting.length > 0) poll();
        });
    }

    function finishAborted(inputs: Waiting[]): void {
      // The node is closing (redeploy): the flow that sent these messages is gone.
      for (const w of inputs) w.done();
    }

    /** msg.alarmId: read just that alarm, with no effect on polling or its state. */
    function getOne(msg: NodeMessage, send: SendFn, done: DoneFn): void {
      if (!device) return;
      let id: string;
      try {
        id = checkAlarmId(msg.alarmId, 'msg.alarmId', 'get alarm');
      } catch (err) {
        setStatus(node, 'error', shortReason(err));
        done(err as Error);
        return;
      }
      const ac = new AbortController();
      gets.add(ac);
      const label = device.deviceLabel;
      device.client
        .getAlarm(alarmType, id, ac.signal)
        .then(
          (r) => {
            if (ac.signal.aborted) return done();
            const out = eventMsg(undefined, 'get', r.body, label, new Date().toISOString(), r.statusCode);
            Object.assign(msg, out);
            send(msg);
            done();
            if (!running) lastStatus?.();
          },
          (err: unknown) => {
            if (ac.signal.aborted) return done();
            const error = isMediantError(err) ? err : new MediantError('ERESPONSE', 'get alarm', String(err));
            if (error.statusCode !== undefined) msg.statusCode = error.statusCode;
            msg.device = label;
            setStatus(node, 'error', shortReason(error));
            done(error);
          },
        )
        .finally(() => gets.delete(ac));
    }

    node.on('input', (msg, send, done) => {
      if (!device) {
        done(new MediantError('EINPUT', 'input', t('error.noDevice')));
        return;
      }
      if (configError) {
        done(configError);
        return;
      }
      if (msg.alarmId !== undefined) {
        getOne(msg, send, done);
        return;
      }
      waiting.push({ msg, send, done });
      // Not yet loaded, or a poll is running: the message waits for the next poll.
      if (engine && !running) poll();
    });

    node.on('close', (removed, closedCb) => {
      closed = true;
      if (removed) lastStates.delete(node.id);
      if (timer) clearTimeout(timer);
      timer = undefined;
      running?.abort();
      for (const ac of gets) ac.abort();
      gets.clear();
      for (const w of waiting) w.done();
      waiting = [];
      clearStatus(node);
      closedCb();
    });

    if (!device) {
      setStatus(node, 'error', t('status.noDevice'), false);
      return;
    }
    if (configError) {
      setStatus(node, 'error', t('status.badConfig', undefined, TYPE), false);
      node.error(configError);
      return;
    }
    const client = device.client;

    // The state comes from the context asynchronously (a persistent store may read a file).
    node.context().get(STATE_KEY, undefined, (err, stored) => {
      if (closed) return;
      if (err) node.warn(t('warn.loadFailed', { reason: String(err.message ?? err) }, TYPE));
      if (stored === undefined && contextWipedOnStop) stored = lastStates.get(node.id);
      engine = new AlarmSync(client, alarmType, { emitExisting }, stored);
      if (stored !== undefined && !engine.resumed) node.warn(t('warn.stateDiscarded', { alarmType }, TYPE));
      if (waiting.length > 0) poll();
      else schedule(FIRST_POLL_MS);
    });
  });
};
