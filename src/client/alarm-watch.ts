/**
 * AlarmWatch: everything that watching the alarms of ONE device takes, as one
 * piece that a node can run one of (today) or many of (a node over a fleet):
 * the AlarmSync engine, its stored state bound to the device it came from, an
 * outbox that makes delivery survive a crash, an optional lease that makes
 * one Node-RED among replicas the only one that polls, and its own timer with
 * backoff. It knows nothing of Node-RED: the caller gives it a store, a lease
 * and a `deliver` function, and gets statuses, reports and notices back.
 *
 * One turn (a poll), in order:
 *   1. the lease, where there is one: not held -> standby, try again later;
 *      (re)acquired -> the state is read from the store again first;
 *   2. the stored state, once per (re)load; then the device's identity (its
 *      serial number from /status where it reports one, else host and port):
 *      a state stored for another device is discarded with one notice, and
 *      the first poll then follows `emitExisting`;
 *   3. events left in the outbox by a crash (or by the instance that held the
 *      lease before) are delivered again, with their event ids, and marked done;
 *   4. the poll. When it has events: the new state is stored WITH them as the
 *      outbox, the events are delivered, and the outbox is marked done. A
 *      crash before the first store repeats the poll from the old state (the
 *      same events, the same ids); a crash after it repeats the outbox. So an
 *      event is never lost, and a repeat (at most the events of one poll, when
 *      the store keeps what it is given at once) carries the same `eventId`.
 *
 * Storage failures never let the engine run ahead of the store: the engine is
 * dropped and read back from the store on the next turn, so the same events
 * are worked out again.
 */
import { AlarmSync, DEFAULT_ALARM_LIMITS, type AlarmEvent, type AlarmSyncOptions, type AlarmSyncState } from './alarm-sync';
import { MediantError, isMediantError } from './errors';
import { DEFAULT_MAX_BACKOFF_MS, Poller, asMediantError, isUnreachable, type PollPhase, type RunOutcome } from './poller';
import type { AlarmDetails, AlarmType, MediantApi } from './types';

/** Where a watch keeps its state (a node's context, a Redis key). */
export interface StateStore {
  /** The stored value, or undefined when there is none. */
  load(): Promise<unknown>;
  /**
   * Keeps `value`; resolves once the store has it (as durable as the store
   * is). Rejects with a MediantError; code EBUSY when the write was refused
   * because another instance now holds the device (fencing).
   */
  save(value: unknown): Promise<void>;
}

/** One writer per device among Node-RED replicas (see coordination.ts). */
export interface Lease {
  /** Holds the lease (acquiring or keeping it); resolves whether this instance holds it. Rejects when the coordinator cannot be reached. */
  hold(): Promise<boolean>;
  /** Changes each time this instance acquires the lease afresh (its fencing token). */
  readonly token: number;
  /** Who holds it, as far as the last attempt saw (safe to show), when it is not this instance. */
  readonly holder: string | undefined;
  /** How long a standby waits before it tries again, ms. */
  readonly retryMs: number;
  release(): Promise<void>;
}

export type WatchPhase = PollPhase;

export interface WatchStatus {
  phase: WatchPhase;
  alarmType: AlarmType;
  /** ok: current alarms (active) or new entries (history). */
  count?: number;
  /** unreachable / standby: when the next try is, ms. */
  retryMs?: number;
  error?: MediantError;
  /** standby: who holds the device. */
  holder?: string;
}

export interface DeliveryBatch {
  events: AlarmEvent[];
  /** active: every current alarm; history: the entries new in this poll. A fresh copy per call. */
  current(): AlarmDetails[];
  count: number;
  /** These events come from the outbox: sent before a crash or by the previous holder, maybe delivered already. */
  resent: boolean;
}

export type NoticeKey = 'stateForeign' | 'stateUnusable' | 'loadFailed' | 'saveFailed' | 'resumed' | 'leaseAcquired' | 'leaseLost';

export interface WatchHooks<T> {
  /**
   * Sends the batch; resolves once the messages have left (handed to the
   * next nodes). Called for every successful poll (an events output sends
   * nothing for an empty batch, a snapshot sends one message). Should not
   * throw; if it does, the batch counts as delivered and the error is reported.
   */
  deliver(batch: DeliveryBatch, inputs: readonly T[]): Promise<void>;
  /** The turn that served these inputs is over; `err` when it failed. */
  settle(inputs: readonly T[], err?: MediantError): void;
  status(s: WatchStatus): void;
  /** An error for a Catch node: a timer poll's failure (once per outage), a skipped entry, a failed delivery. */
  report(err: MediantError): void;
  /** Something for the log, by catalog key. */
  notice(key: NoticeKey, subs: Record<string, string>): void;
}

export interface AlarmWatchOptions<T> {
  api: MediantApi;
  alarmType: AlarmType;
  /** host:port as configured: the identity where the device reports no serial number. */
  target: string;
  store: StateStore;
  lease?: Lease;
  /** ms between polls; 0 = only on request(). */
  pollMs: number;
  /** ms before the first poll. */
  firstPollMs?: number;
  /** Longest backoff while unreachable, ms (or pollMs when longer). Default 5 min. */
  maxBackoffMs?: number;
  sync?: Omit<AlarmSyncOptions, 'device'>;
  hooks: WatchHooks<T>;
}

/** The device a state belongs to. `key` names it in event ids and never changes for that state. */
interface Identity {
  key: string;
  target: string;
  serial?: string;
}

/** What is stored: the engine's state, the device it belongs to, and the events not yet delivered. */
interface Envelope {
  version: 2;
  alarmType: AlarmType;
  device: Identity;
  sync: AlarmSyncState;
  outbox?: AlarmEvent[];
}

const ENVELOPE_VERSION = 2;
const SERIAL = /^[A-Za-z0-9._-]{1,64}$/;
const KINDS = new Set(['raised', 'cleared', 'history']);

const unreachable = isUnreachable;
const asError = asMediantError;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function identityOf(v: unknown): Identity | undefined {
  if (!isObject(v) || typeof v.key !== 'string' || typeof v.target !== 'string') return undefined;
  const out: Identity = { key: v.key, target: v.target };
  if (typeof v.serial === 'string') out.serial = v.serial;
  return out;
}

function outboxOf(v: unknown): AlarmEvent[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const ok = v.every((e) => isObject(e) && KINDS.has(e.event as string) && isObject(e.alarm) && typeof e.eventId === 'string' && typeof e.boot === 'number');
  return ok ? (v as AlarmEvent[]) : undefined;
}

/** Whether a stored identity is the device seen now. */
function sameDevice(stored: Identity, now: Identity): boolean {
  if (stored.serial !== undefined && now.serial !== undefined) return stored.serial === now.serial;
  return stored.target === now.target;
}

function describeIdentity(i: Identity): string {
  return i.serial !== undefined ? `serial ${i.serial} at ${i.target}` : i.target;
}

export class AlarmWatch<T = unknown> {
  readonly alarmType: AlarmType;
  private readonly o: AlarmWatchOptions<T>;
  private readonly hooks: WatchHooks<T>;
  /** The timer, backoff and one-run-at-a-time of this watch (shared with every polling unit). */
  private readonly poller: Poller<T>;

  private engine: AlarmSync | undefined;
  private identity: Identity | undefined;
  /** The stored state read by the last load, until the identity is known. */
  private stored: { device?: Identity; sync?: unknown; outbox?: AlarmEvent[] } | undefined;
  private loaded = false;
  private pending: AlarmEvent[] | undefined;
  /** The state last committed (for the done mark and for snapshots of a resent outbox). */
  private committed: AlarmSyncState | undefined;
  /** The store holds an outbox that was delivered but not marked done. */
  private dirty = false;
  private recheckIdentity = false;
  private leaseToken = 0;
  private holding = false;

  constructor(options: AlarmWatchOptions<T>) {
    this.o = options;
    this.alarmType = options.alarmType;
    this.hooks = options.hooks;
    const alarmType = options.alarmType;
    this.poller = new Poller<T>({
      pollMs: options.pollMs,
      firstPollMs: options.firstPollMs ?? 100,
      maxBackoffMs: options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS,
      operation: `poll ${alarmType} alarms`,
      hooks: {
        run: (inputs, signal) => this.turn(inputs, signal),
        settle: (inputs, err) => this.hooks.settle(inputs, err),
        status: (s) => this.hooks.status({ ...s, alarmType }),
        report: (err) => this.hooks.report(err),
        resumed: () => this.hooks.notice('resumed', { target: this.o.target }),
        // a reboot, or another device at that address, is likely
        unreachable: () => {
          this.recheckIdentity = true;
        },
      },
    });
  }

  /** Starts the timer (the first poll after firstPollMs). */
  start(): void {
    this.poller.start();
  }

  /** A poll for this input now (or right after the one under way); `settle` is called when it is over. */
  request(input: T): void {
    this.poller.request(input);
  }

  /** What the status showed last (to restore after something else was shown). */
  get lastShown(): WatchStatus | undefined {
    const s = this.poller.lastShown;
    return s ? { ...s, alarmType: this.alarmType } : undefined;
  }

  /** Stops timers, abandons a poll under way (its inputs are settled), releases the lease. */
  async stop(): Promise<void> {
    if (this.poller.isClosed) return;
    this.poller.stop();
    if (this.o.lease && this.holding) await this.o.lease.release().catch(() => undefined);
  }

  /** One turn: the lease, then the poll. */
  private async turn(inputs: readonly T[], signal: AbortSignal): Promise<RunOutcome> {
    let held: boolean;
    try {
      held = await this.holdLease();
    } catch (err) {
      // The coordinator cannot be reached: nobody may poll; this is no device outage.
      const lease = this.o.lease;
      return { kind: 'standby', retryMs: lease?.retryMs ?? 0, error: asError(err, 'coordinate') };
    }
    if (!held) {
      const lease = this.o.lease;
      return { kind: 'standby', retryMs: lease?.retryMs ?? 0, ...(lease?.holder ? { holder: lease.holder } : {}) };
    }
    const count = await this.pollOnce(inputs, signal);
    return { kind: 'ok', count };
  }

  /** Whether this instance may poll: always without a lease. A fresh acquisition reloads the state. */
  private async holdLease(): Promise<boolean> {
    const lease = this.o.lease;
    if (!lease) return true;
    let held: boolean;
    try {
      held = await lease.hold();
    } catch (err) {
      this.holding = false;
      this.loaded = false;
      throw err;
    }
    if (!held) {
      if (this.holding) this.hooks.notice('leaseLost', { target: this.o.target });
      this.holding = false;
      this.loaded = false;
      return false;
    }
    if (!this.holding || lease.token !== this.leaseToken) {
      this.hooks.notice('leaseAcquired', { target: this.o.target });
      this.loaded = false; // another instance may have moved the state on
    }
    this.holding = true;
    this.leaseToken = lease.token;
    return true;
  }

  /** Reads the stored state; anything unusable means starting afresh. */
  private async load(): Promise<void> {
    this.engine = undefined;
    this.identity = undefined;
    this.pending = undefined;
    this.committed = undefined;
    this.dirty = false;
    this.stored = undefined;
    let raw: unknown;
    try {
      raw = await this.o.store.load();
    } catch (err) {
      if (isMediantError(err) && (err.code === 'ENETWORK' || err.code === 'ETIMEOUT')) throw err; // the store cannot be reached: try again later
      this.hooks.notice('loadFailed', { reason: err instanceof Error ? err.message : String(err) });
      raw = undefined;
    }
    this.loaded = true;
    if (raw === undefined || raw === null) return;
    if (isObject(raw) && raw.version === ENVELOPE_VERSION && raw.alarmType === this.alarmType) {
      const device = identityOf(raw.device);
      const outbox = raw.outbox === undefined ? undefined : outboxOf(raw.outbox);
      if (device && isObject(raw.sync)) {
        this.stored = { device, sync: raw.sync };
        if (outbox && outbox.length > 0) this.stored.outbox = outbox;
        return;
      }
    } else if (isObject(raw) && raw.version === 1 && raw.alarmType === this.alarmType) {
      this.stored = { sync: raw }; // stored by an earlier version: taken for this device
      return;
    }
    this.hooks.notice('stateUnusable', { alarmType: this.alarmType });
  }

  /**
   * Who the device is: its serial number where /status reports one, else
   * host and port. The first time after a load it decides whether the stored
   * state is this device's; after an outage it checks that the device at that
   * address is still the same one.
   */
  private async identify(signal: AbortSignal): Promise<void> {
    let serial: string | undefined;
    try {
      const st = await this.o.api.getStatus(signal);
      const s = isObject(st.body) ? st.body.serialNumber : undefined;
      if (typeof s === 'string' && SERIAL.test(s)) serial = s;
      else if (typeof s === 'number' && Number.isSafeInteger(s)) serial = String(s);
    } catch (err) {
      const e = asError(err, 'status');
      if (unreachable(e) || e.code === 'EABORTED') throw e;
      // The device answers, but not /status (privilege, firmware): host and port it is.
    }
    const now: Identity = { key: serial ?? this.o.target, target: this.o.target, ...(serial !== undefined ? { serial } : {}) };
    this.recheckIdentity = false;

    if (this.engine && this.identity) {
      if (sameDevice(this.identity, now)) {
        if (this.identity.serial === undefined && serial !== undefined) this.identity = { ...this.identity, serial };
        return;
      }
      this.hooks.notice('stateForeign', { stored: describeIdentity(this.identity), now: describeIdentity(now) });
      this.startAfresh(now);
      return;
    }
    const stored = this.stored;
    this.stored = undefined;
    let sync: unknown;
    if (stored?.device && !sameDevice(stored.device, now)) {
      this.hooks.notice('stateForeign', { stored: describeIdentity(stored.device), now: describeIdentity(now) });
    } else if (stored) {
      // Same device (or a state from before devices were recorded): carry on with it.
      this.identity = stored.device ? { ...stored.device, ...(stored.device.serial === undefined && serial !== undefined ? { serial } : {}) } : now;
      sync = stored.sync;
      if (stored.outbox) this.pending = stored.outbox;
    }
    if (!this.identity) this.identity = now;
    this.engine = this.newEngine(sync);
    if (sync !== undefined && !this.engine.resumed) this.hooks.notice('stateUnusable', { alarmType: this.alarmType });
    this.committed = this.engine.state;
  }

  private startAfresh(identity: Identity): void {
    this.identity = identity;
    this.pending = undefined;
    this.engine = this.newEngine(undefined);
    this.committed = undefined;
  }

  private newEngine(state: unknown): AlarmSync {
    const sync = this.o.sync ?? {};
    return new AlarmSync(this.o.api, this.alarmType, { ...sync, device: this.identity?.key ?? this.o.target }, state);
  }

  private envelope(sync: AlarmSyncState, outbox?: AlarmEvent[]): Envelope {
    const env: Envelope = { version: ENVELOPE_VERSION, alarmType: this.alarmType, device: this.identity as Identity, sync };
    if (outbox && outbox.length > 0) env.outbox = outbox;
    return env;
  }

  /** Stores; on failure the engine is dropped so that it is read back from the store next turn. */
  private async save(sync: AlarmSyncState, outbox?: AlarmEvent[]): Promise<void> {
    try {
      await this.o.store.save(this.envelope(sync, outbox));
    } catch (err) {
      this.loaded = false;
      this.engine = undefined;
      const e = asError(err, 'store alarm state');
      if (e.code !== 'EBUSY') this.hooks.notice('saveFailed', { reason: e.message });
      throw e;
    }
  }

  /** Delivers; a throwing deliver counts as delivered (a repeat would fail the same way) and is reported. */
  private async deliver(batch: DeliveryBatch, inputs: readonly T[]): Promise<void> {
    try {
      await this.hooks.deliver(batch, inputs);
    } catch (err) {
      this.hooks.report(isMediantError(err) ? err : new MediantError('ERESPONSE', 'send alarm events', `send alarm events failed: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  /** One poll while holding the device; resolves with the count for the status. */
  private async pollOnce(inputs: readonly T[], signal: AbortSignal): Promise<number> {
    if (!this.loaded) await this.load();
    if (!this.engine || this.recheckIdentity) await this.identify(signal);
    const engine = this.engine as AlarmSync;

    // 3. what a crash (or the previous holder) left undelivered
    if (this.pending && this.committed) {
      const pending = this.pending;
      const committed = this.committed;
      const current = (): AlarmDetails[] => structuredClone(committed.alarms ?? pending.map((e) => e.alarm));
      if (signal.aborted) return 0;
      await this.deliver({ events: structuredClone(pending), current, count: committed.alarms?.length ?? pending.length, resent: true }, []);
      this.pending = undefined;
      await this.save(committed);
    } else if (this.dirty && this.committed) {
      await this.save(this.committed);
      this.dirty = false;
    }
    this.pending = undefined;

    // 4. the poll
    const r = await engine.poll(signal);
    for (const p of r.problems) this.hooks.report(p);
    if (signal.aborted) {
      this.loaded = false; // not committed: read back next time
      return r.count;
    }
    // An idle poll (no events, the same state) keeps the committed state as
    // it is: `r.state` is a fresh copy of the whole state at each access,
    // which every idle poll of every device would otherwise pay for.
    const idle = r.events.length === 0 && !r.changed && this.committed !== undefined;
    const state = idle ? (this.committed as AlarmSyncState) : r.state;
    if (r.events.length > 0) await this.save(state, r.events);
    else if (r.changed) await this.save(state);
    this.committed = state;
    if (signal.aborted) {
      // Closing after the outbox was stored: it is delivered at the next start.
      return r.count;
    }
    await this.deliver({ events: r.events, current: () => r.current, count: r.count, resent: false }, inputs);
    if (r.events.length > 0) {
      // Marked done, even when closing meanwhile. A failure leaves the mark
      // for the next turn; the engine stays (it is in step with the store).
      await this.o.store.save(this.envelope(state)).catch(() => {
        this.dirty = true;
      });
    }
    return r.count;
  }
}

export { DEFAULT_ALARM_LIMITS };
