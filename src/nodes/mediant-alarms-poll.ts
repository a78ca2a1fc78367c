/**
 * mediant-alarms-poll: reads `/alarms/active` or `/alarms/history` (vendor
 * document section 7) and sends each raise, clear or history entry once.
 * The reading, the "once", the stored state, the outbox, the lease and the
 * timer are the AlarmWatch's (src/client/alarm-watch.ts), one per device;
 * this file reads the node's properties, gives the watch a store (the node's
 * context, or Redis through a `mediant-cluster` node) and turns what the
 * watch reports into messages, statuses and errors for Catch.
 *
 * Devices (lib/fleet.ts): the configured one (`deviceFrom` `node`); for
 * `msg`, also each device a message names (a watch of its own, no timer);
 * for `all` or `group`, every device of the fleet, each watch on its own
 * timer and backoff, joining and leaving as devices start and stop at a
 * deploy. Every message carries the `msg.device` of the watch it came from.
 *
 * Why not `handleMessages`: that wrapper sends exactly one message per input
 * message. A poll sends none, one or many (one per event), runs on its own
 * timer as well as on input, and several input messages that arrive during a
 * poll share the next one. So the send path is written here, with the same
 * status helper and the same error path (`done(err)` for a message's poll,
 * `node.error(err, msg)` for a timer's, so a Catch node receives both).
 *
 * State without a cluster: the watch's state is stored in the node's context
 * (key `state` for the configured device, `state_<device id>` for each
 * other, in the store named by `contextStore`, else the default).
 * Node-RED deletes a node's context whenever the node is stopped (every
 * redeploy of it) unless a context store is configured in settings.js
 * (`contextStorage`); the default settings configure none. So that a plain
 * redeploy does not report every active alarm again, the node then also keeps
 * the last state per node id and key in this process.
 *
 * Delivery: the watch stores a poll's events with the new state (the outbox)
 * before they are sent, and marks them done once they have left this node:
 * Node-RED hands each sent message to the next node on a later turn of the
 * event loop (setImmediate), so "left" is when a setImmediate queued after
 * the sends has run. A crash in between repeats those events after the
 * restart, each with the same `msg.eventId`; none is lost.
 */
import { fieldText, type AlarmEvent } from '../client/alarm-sync';
import { AlarmWatch, type DeliveryBatch, type Lease, type StateStore, type WatchStatus } from '../client/alarm-watch';
import { MediantError, MediantInputError, formatMs, isMediantError } from '../client/errors';
import type { AlarmDetails, AlarmType } from '../client/types';
import { checkAlarmId } from '../client/validate';
import type { RedisCoordinator } from '../client/coordination';
import { deviceOf, type DeviceNode } from './lib/devices';
import { endMessage, errorToCatch, reasonOf } from './lib/finish';
import { Fleet, type FleetUnit, type UnitPlan } from './lib/fleet';
import { t, useRuntimeI18n } from './lib/i18n';
import { registerNode } from './lib/migrations';
import { checks, fromConfig, timerFromConfig } from './lib/overrides';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, SendFn } from './lib/red';
import { clearStatus, clock, setStatus, shortReason } from './lib/status';
import type { ClusterNode } from './lib/cluster';

const TYPE = 'mediant-alarms-poll';
const STATE_KEY = 'state';

/** The first timer poll comes shortly after the start, as an inject node's "once" does. */
const FIRST_POLL_MS = 100;
const alarmTypeCheck = checks.oneOf<AlarmType>(['active', 'history']);
const outputCheck = checks.oneOf<'events' | 'snapshot'>(['events', 'snapshot']);
const storeNameCheck = {
  expected: 'the name of a context store configured in settings.js',
  parse: (v: unknown): string | undefined => (typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v) ? v : undefined),
};
/** Seconds: 0 (no timer), or from 1 s, decimals allowed (the shared rule of every timer property). */
const secondsCheck = checks.timerSeconds({ decimals: true });

type Kind = AlarmEvent['event'] | 'get';

interface Waiting {
  msg: NodeMessage;
  send: SendFn;
  done: DoneFn;
}

/** One device's watch, as the node's fleet holds it. */
interface AlarmUnit extends FleetUnit {
  device: DeviceNode;
  watch?: AlarmWatch<Waiting>;
  request(w: Waiting): void;
}

type Runtime = NodeAPI & { util: { cloneMessage<M>(m: M): M }; settings?: { contextStorage?: unknown } };

/** Lets the messages just sent reach the next nodes: Node-RED delivers each on a setImmediate queued at send. */
function delivered(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * localfilesystem with its cache on (what `module: "localfilesystem"` gives)
 * writes to disk every flushInterval: after a crash the state is up to that
 * old, so the events of those seconds are sent again and a clear in them can
 * be missed. Said once per node start, with the fix.
 */
function warnIfCached(RED: NodeAPI, node: Node, storeName: string | undefined): void {
  const stores = (RED as Runtime).settings?.contextStorage as Record<string, unknown> | undefined;
  if (!stores || typeof stores !== 'object') return;
  let name = storeName ?? 'default';
  let conf = stores[name];
  if (typeof conf === 'string') conf = stores[(name = conf)]; // default: "otherStore"
  if (!conf || typeof conf !== 'object') return;
  const { module, config } = conf as { module?: unknown; config?: { cache?: unknown; flushInterval?: unknown } };
  if (module !== 'localfilesystem' || config?.cache === false) return;
  const seconds = typeof config?.flushInterval === 'number' ? config.flushInterval : 30;
  node.warn(t('log.cachedStore', { store: name, seconds: String(seconds) }, TYPE));
}

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);
  const clone = <M>(m: M): M => (RED as Runtime).util.cloneMessage(m);
  /** Without a configured context store, Node-RED wipes node context on every stop (see above). */
  const contextWipedOnStop = !(RED as Runtime).settings?.contextStorage;
  /** `<node id> <state key>` -> last state, for redeploys when the context is wiped (this process only). */
  const lastStates = new Map<string, unknown>();

  registerNode(RED, TYPE, function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const choice = deviceOf(RED, def, { fleet: true });

    let alarmType: AlarmType = 'active';
    let pollSeconds = 30;
    let emitExisting = true;
    let output: 'events' | 'snapshot' = 'events';
    let contextStore: string | undefined;
    const limits: { maxPages?: number; maxAlarms?: number; maxBytes?: number } = {};
    let configError: MediantError | undefined;
    // A bad interval turns the timer off with a red status and a log line; input still polls.
    pollSeconds = timerFromConfig(node, def, 'pollInterval', pollSeconds, secondsCheck);
    try {
      alarmType = fromConfig(def, 'alarmType', alarmType, alarmTypeCheck);
      emitExisting = fromConfig(def, 'emitExisting', emitExisting, checks.boolean);
      output = fromConfig(def, 'output', output, outputCheck);
      const store = fromConfig<string | undefined>(def, 'contextStore', undefined, storeNameCheck);
      if (store !== undefined) contextStore = store;
      const maxAlarms = fromConfig<number | undefined>(def, 'maxAlarms', undefined, checks.integer(1, 10_000_000));
      if (maxAlarms !== undefined) limits.maxAlarms = maxAlarms;
      const maxPages = fromConfig<number | undefined>(def, 'maxPages', undefined, checks.integer(1, 10_000_000));
      if (maxPages !== undefined) limits.maxPages = maxPages;
      const maxMiB = fromConfig<number | undefined>(def, 'maxMiB', undefined, checks.integer(1, 2047));
      if (maxMiB !== undefined) limits.maxBytes = maxMiB * 1024 * 1024;
    } catch (err) {
      configError = err as MediantError;
    }

    const clusterId = typeof def.cluster === 'string' && def.cluster !== '' && def.cluster !== '_ADD_' ? def.cluster : undefined;
    const cluster = clusterId ? (RED.nodes.getNode(clusterId) as ClusterNode | null) : null;
    if (clusterId && !cluster && !configError) configError = new MediantError('EINPUT', 'alarms', t('error.noCluster', undefined, TYPE));

    let closed = false;
    /** Detail reads for msg.alarmId under way (aborted on close). */
    const gets = new Set<AbortController>();
    let coordinator: RedisCoordinator | undefined;

    const text = (kind: Kind, a: AlarmDetails, when: string, label: string): string => {
      const key = kind === 'get' ? (alarmType === 'active' ? 'raised' : 'history') : kind;
      return t(
        `text.${key}`,
        {
          severity: fieldText(a.severity),
          description: fieldText(a.description),
          source: fieldText(a.source),
          device: label,
          date: fieldText(a.date),
          when,
        },
        TYPE,
      );
    };

    /**
     * A copy of the input message for an event to carry, or a new message when
     * Node-RED cannot copy it (the input message's own end then reaches Catch
     * with that failure): an alarm is never lost for the message that asked.
     */
    const copyOf = (base: NodeMessage | undefined): NodeMessage => {
      if (!base) return {};
      try {
        return clone(base);
      } catch {
        return {};
      }
    };

    /**
     * Fill one event's message (a copy of the input message, or a new one for a
     * timer poll). The payload is the alarm as the device sent it; the topic and
     * text the node writes from it go through the client's redactor, as a status
     * does: a description may quote the credentials (a device or proxy echoing them).
     */
    const eventMsg = (base: NodeMessage | undefined, kind: Kind, alarm: AlarmDetails, when: string, device: DeviceNode, statusCode = 200): NodeMessage => {
      const label = device.deviceLabel;
      const msg = copyOf(base);
      msg.payload = alarm;
      msg.event = kind;
      msg.topic = device.client.redact(`${fieldText(alarm.severity)}: ${fieldText(alarm.description)}`);
      msg.text = device.client.redact(text(kind, alarm, when, label));
      msg.statusCode = statusCode;
      msg.device = label;
      return msg;
    };

    const snapshotMsg = (base: NodeMessage | undefined, b: DeliveryBatch, label: string): NodeMessage => {
      const msg: NodeMessage = base ? copyOf(base) : { topic: `alarms/${alarmType}` };
      const of = (kind: AlarmEvent['event']): AlarmEvent[] => b.events.filter((e) => e.event === kind);
      msg.payload = b.current();
      msg.raised = of('raised').map((e) => e.alarm);
      msg.cleared = of('cleared').map((e) => e.alarm);
      if (alarmType === 'history') msg.history = of('history').map((e) => e.alarm);
      msg.eventIds = alarmType === 'history' ? { history: of('history').map((e) => e.eventId) } : { raised: of('raised').map((e) => e.eventId), cleared: of('cleared').map((e) => e.eventId) };
      msg.statusCode = 200;
      msg.device = label;
      return msg;
    };

    const timerMsg = (label: string): NodeMessage => ({ topic: `alarms/${alarmType}`, device: label });

    /** Sends one message; a failure (a message that cannot be copied for a second wire) goes to Catch, the rest go on. */
    const sendOne = (send: SendFn, build: () => NodeMessage, label: string): void => {
      let msg: NodeMessage | undefined;
      try {
        msg = build();
        send(msg);
      } catch (err) {
        const error = isMediantError(err) ? err : new MediantError('ERESPONSE', 'send alarm event', t('error.sendFailed', { reason: reasonOf(err) }, TYPE));
        errorToCatch(node, error, msg ?? timerMsg(label), label);
      }
    };

    const deliverFor =
      (device: DeviceNode) =>
      async (b: DeliveryBatch, inputs: readonly Waiting[]): Promise<void> => {
        const label = device.deviceLabel;
        const last = inputs[inputs.length - 1];
        const send = last ? last.send : node.send.bind(node);
        const base = last?.msg;
        if (output === 'snapshot') {
          sendOne(send, () => snapshotMsg(base, b, label), label);
        } else {
          if (b.events.length === 0) return;
          const when = new Date().toISOString();
          // One send per message: each is already its own object, and Node-RED
          // clones every message after the first of an array.
          for (const e of b.events) {
            sendOne(
              send,
              () => {
                const m = eventMsg(base, e.event, e.alarm, when, device);
                m.eventId = e.eventId;
                return m;
              },
              label,
            );
          }
        }
        await delivered();
      };

    /** The status of a node that watches one device. */
    const showStatus = (s: WatchStatus): void => {
      const held = cluster ? `${t('status.holding', undefined, TYPE)} · ` : '';
      switch (s.phase) {
        case 'starting':
          return; // nothing to show until the first poll (a bad-interval status stays)
        case 'polling':
          setStatus(node, 'busy', t('status.polling', undefined, TYPE), false);
          return;
        case 'ok': {
          const summary = alarmType === 'active' ? t('status.active', { count: s.count ?? 0 }, TYPE) : t('status.history', { count: s.count ?? 0 }, TYPE);
          setStatus(node, 'ok', `${held}${summary} · ${clock()}`, false);
          return;
        }
        case 'standby':
          setStatus(node, 'idle', s.holder ? t('status.standbyHeld', { holder: s.holder }, TYPE) : t('status.standby', undefined, TYPE), false);
          return;
        case 'unreachable':
          setStatus(node, 'waiting', t('status.unreachable', { delay: formatMs(Math.round(s.retryMs ?? 0)) }, TYPE), false);
          return;
        case 'error':
          setStatus(node, 'error', `${s.error ? shortReason(s.error) : t('reason.failed')} · ${clock()}`, false);
          return;
      }
    };

    /** Where a device's state lives: the node's own device keeps the key it always had. */
    const storeFor = (device: DeviceNode, own: boolean): { store: StateStore; lease?: Lease } => {
      if (cluster) {
        coordinator ??= cluster.register(node);
        const unit = coordinator.unit(`${node.id}:${device.client.target}`);
        return { store: unit.store, lease: unit.lease };
      }
      const key = own ? STATE_KEY : `${STATE_KEY}_${device.id.replace(/[^A-Za-z0-9_]/g, '_')}`;
      const remembered = `${node.id} ${key}`;
      const ctx = node.context();
      return {
        store: {
          load: () =>
            new Promise((resolve, reject) => {
              ctx.get(key, contextStore, (err, stored) => {
                if (err) return reject(err);
                resolve(stored === undefined && contextWipedOnStop ? lastStates.get(remembered) : stored);
              });
            }),
          save: (value) =>
            new Promise((resolve, reject) => {
              if (contextWipedOnStop) lastStates.set(remembered, value);
              ctx.set(key, value, contextStore, (err) => (err ? reject(new MediantError('ERESPONSE', 'store alarm state', String(err.message ?? err))) : resolve()));
            }),
        },
      };
    };

    /** One device's watch: its state, outbox, lease and timer. */
    const makeUnit = (device: DeviceNode, plan: UnitPlan): AlarmUnit => {
      const label = device.deviceLabel;
      let where: { store: StateStore; lease?: Lease };
      try {
        where = storeFor(device, plan.own);
      } catch (err) {
        // The cluster cannot be used (bad settings, no Redis client): said once, nothing polls.
        const error = isMediantError(err) ? err : new MediantInputError('cluster', 'a working mediant-cluster node', clusterId);
        return brokenUnit(device, error);
      }
      const watch = new AlarmWatch<Waiting>({
        api: device.client,
        alarmType,
        target: device.client.target,
        store: where.store,
        ...(where.lease ? { lease: where.lease } : {}),
        pollMs: plan.timer ? pollSeconds * 1000 : 0,
        firstPollMs: plan.firstPollMs,
        sync: { emitExisting, ...limits },
        hooks: {
          deliver: deliverFor(device),
          settle(inputs, err) {
            // Each message ended on its own: one that Node-RED cannot copy still reaches Catch, the others are not kept waiting.
            for (const w of inputs) endMessage(node, w.done, w.msg, label, err);
          },
          status: (s) => fleet.report(device, s),
          report(err) {
            const msg = timerMsg(label);
            if (err.statusCode !== undefined) msg.statusCode = err.statusCode;
            node.error(err, msg);
          },
          notice(key, subs) {
            const line = t(`log.${key}`, { device: label, ...subs }, TYPE);
            if (key === 'resumed' || key === 'leaseAcquired') node.log(line);
            else node.warn(line);
          },
        },
      });
      return { device, watch, start: () => watch.start(), stop: () => watch.stop(), request: (w) => watch.request(w) };
    };

    /** A unit that cannot poll: each request gets its error. */
    const brokenUnit = (device: DeviceNode, error: MediantError): AlarmUnit => {
      let told = false;
      return {
        device,
        start: () => {
          if (told) return;
          told = true;
          setStatus(node, 'error', t('status.badConfig', undefined, TYPE), false);
          node.error(error);
        },
        stop: () => Promise.resolve(),
        request: (w) => endMessage(node, w.done, w.msg, device.deviceLabel, error),
      };
    };

    const fleet = new Fleet<AlarmUnit>({
      node,
      choice,
      intervalMs: pollSeconds * 1000,
      firstPollMs: FIRST_POLL_MS,
      make: makeUnit,
      showOne: (s) => {
        if (!closed) showStatus({ ...s, alarmType });
      },
      summary: (states) => (alarmType === 'active' ? [t('status.active', { count: states.reduce((n, u) => n + (u.count ?? 0), 0) }, TYPE)] : []),
    });

    node.on('input', (msg, send, done) => {
      try {
        if (configError) {
          endMessage(node, done, msg, '', configError);
          return;
        }
        // Which device: an unknown or ambiguous msg.device is refused here, before any request.
        const device = choice.pick(msg);
        if (msg.alarmId !== undefined) {
          if (!device) throw new MediantInputError('msg.device', t('error.alarmIdDevice', undefined, TYPE), msg.device);
          getOne(device, msg, send, done);
          return;
        }
        if (device) {
          const unit = fleet.unitFor(device);
          if (!unit) throw new MediantError('EINPUT', 'input', t('error.noDevice'));
          unit.request({ msg, send, done });
          return;
        }
        pollAll(msg, send, done);
      } catch (err) {
        const error = isMediantError(err) ? err : new MediantError('ERESPONSE', 'alarms', reasonOf(err));
        setStatus(node, 'error', shortReason(error));
        endMessage(node, done, msg, '', error);
      }
    });

    /** A message to a fleet node that names no device: every device polls now; done once all have. */
    function pollAll(msg: NodeMessage, send: SendFn, done: DoneFn): void {
      const units = fleet.all();
      if (units.length === 0) throw new MediantError('EINPUT', 'input', t('error.fleetEmpty', { group: choice.group }));
      let left = units.length;
      const failed: MediantError[] = [];
      const one = (err?: Error): void => {
        if (err) failed.push(isMediantError(err) ? err : new MediantError('ERESPONSE', 'alarms', err.message));
        if (--left > 0) return;
        const first = failed[0];
        if (!first) endMessage(node, done, msg, '');
        else if (failed.length === 1) endMessage(node, done, msg, '', first);
        else endMessage(node, done, msg, '', new MediantError(first.code, first.operation, t('error.fleetFailed', { count: failed.length, total: units.length, first: first.message }, TYPE)));
      };
      // Each device's events keep the input message's properties; its own copy carries its device on failure.
      for (const u of units) u.request({ msg: units.length === 1 ? msg : clone(msg), send, done: one });
    }

    /** msg.alarmId: read just that alarm of that device, with no effect on polling or its state. */
    function getOne(device: DeviceNode, msg: NodeMessage, send: SendFn, done: DoneFn): void {
      const label = device.deviceLabel;
      let id: string;
      try {
        id = checkAlarmId(msg.alarmId, 'msg.alarmId', 'get alarm');
      } catch (err) {
        const error = isMediantError(err) ? err : new MediantError('EINPUT', 'get alarm', reasonOf(err));
        setStatus(node, 'error', shortReason(error));
        endMessage(node, done, msg, label, error);
        return;
      }
      const ac = new AbortController();
      gets.add(ac);
      device.client
        .getAlarm(alarmType, id, ac.signal)
        .then((r) => {
          if (ac.signal.aborted) return endMessage(node, done, msg, label);
          const body = { ...r.body, id };
          const out = eventMsg(undefined, 'get', body, new Date().toISOString(), device, r.statusCode);
          Object.assign(msg, out);
          try {
            // Node-RED copies the message here for every wire but the first.
            send(msg);
          } catch (e) {
            throw new MediantError('EINPUT', 'send', t('error.sendFailed', { reason: reasonOf(e) }));
          }
          endMessage(node, done, msg, label);
          const shown = choice.configured && !fleet.isFleet ? fleet.unitFor(choice.configured)?.watch?.lastShown : undefined;
          if (shown && shown.phase !== 'polling') showStatus(shown);
        })
        .catch((err: unknown) => {
          if (ac.signal.aborted) return endMessage(node, done, msg, label);
          const error = isMediantError(err) ? err : new MediantError('ERESPONSE', 'get alarm', t('error.failed', { reason: reasonOf(err) }));
          setStatus(node, 'error', shortReason(error));
          endMessage(node, done, msg, label, error);
        })
        .finally(() => gets.delete(ac))
        .catch(() => undefined);
    }

    node.on('close', (removed, closedCb) => {
      closed = true;
      if (removed) for (const k of [...lastStates.keys()]) if (k.startsWith(`${node.id} `)) lastStates.delete(k);
      for (const ac of gets) ac.abort();
      gets.clear();
      void fleet.close().finally(() => {
        if (coordinator && cluster) cluster.deregister(node);
        clearStatus(node);
        closedCb();
      });
    });

    if (configError) {
      setStatus(node, 'error', t('status.badConfig', undefined, TYPE), false);
      node.error(configError);
      return;
    }
    if (choice.problem) {
      const noDevice = choice.from === 'node' && !choice.configured;
      setStatus(node, 'error', noDevice ? t('status.noDevice') : t('status.badSetting'), false);
      if (!noDevice) node.error(choice.problem);
      configError = choice.problem;
      return;
    }
    if (!cluster) warnIfCached(RED, node, contextStore);
    fleet.start();
  });
};
