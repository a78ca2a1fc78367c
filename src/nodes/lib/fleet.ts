/**
 * The devices a polling node watches, one unit each (an AlarmWatch, a timer
 * read), written once for the three polling nodes. For `deviceFrom` `node`
 * (and `msg`) that is the configured device; for `all` or `group`, every
 * running `mediant-device` that belongs, kept current as devices start and
 * stop at a deploy (the device registry tells us, as a broker config node
 * tells its users) without the polling node being restarted. For `msg`, a
 * message may also name another device: it gets a unit of its own, with no
 * timer, made on first use and dropped when that device stops.
 *
 * Each unit polls on its own timer with its own backoff (one device down
 * never delays the others), and the first polls are spread over the
 * interval rather than all at once. The node's status is the one unit's
 * own, or for a fleet a summary (`42 devices · 3 unreachable · 17 active`),
 * refreshed at most once a second.
 */
import type { PollStatus } from '../../client/poller';
import { listenForDevices, type DeviceChoice, type DeviceNode } from './devices';
import { t } from './i18n';
import type { Node } from './red';
import { clock, setStatus } from './status';

/** What a polling node runs per device. */
export interface FleetUnit {
  start(): void;
  stop(): Promise<void>;
}

export interface UnitPlan {
  /** ms before its first poll. */
  firstPollMs: number;
  /** Whether it polls on the node's timer (false: only when a message asks). */
  timer: boolean;
  /** Its place among the units: the configured device is `own`. */
  own: boolean;
}

export interface FleetOptions<U extends FleetUnit> {
  node: Node;
  choice: DeviceChoice;
  /** The node's poll interval, ms (0: no timer). */
  intervalMs: number;
  /** ms before the first poll of a single device, as an inject node's "once". */
  firstPollMs: number;
  make(device: DeviceNode, plan: UnitPlan): U;
  /** Extra parts of the fleet's summary from the units' last statuses (`17 active`). */
  summary?(statuses: readonly UnitState[]): string[];
  /** The status of a node that watches one device: the node shows it as it likes. */
  showOne(s: PollStatus, device: DeviceNode): void;
}

/** What the fleet keeps of each unit's status. */
export interface UnitState {
  device: DeviceNode;
  phase: PollStatus['phase'];
  /** The count of its last successful poll. */
  count: number | undefined;
}

const SUMMARY_EVERY_MS = 1000;

/** A stable spot in [0, 1) for a device that joins later: its first poll lands anywhere in the interval. */
function spot(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}

export class Fleet<U extends FleetUnit> {
  private readonly o: FleetOptions<U>;
  private readonly units = new Map<DeviceNode, U>();
  private readonly states = new Map<DeviceNode, UnitState>();
  private readonly stopping = new Set<Promise<void>>();
  private unlisten: (() => void) | undefined;
  private closed = false;
  private summaryTimer: NodeJS.Timeout | undefined;
  private lastSummary = 0;

  constructor(options: FleetOptions<U>) {
    this.o = options;
  }

  /** Whether the node shows a summary rather than one device's status. */
  get isFleet(): boolean {
    return this.o.choice.fleet;
  }

  /** Makes a unit for each device there is now (first polls spread) and follows devices as they come and go. */
  start(): void {
    const { choice, intervalMs, firstPollMs } = this.o;
    const members = choice.members();
    members.forEach((d, i) => {
      const offset = members.length > 1 && intervalMs > 0 ? Math.floor((intervalMs * i) / members.length) : 0;
      this.add(d, { firstPollMs: firstPollMs + offset, timer: true, own: d === choice.configured });
    });
    this.unlisten = listenForDevices({
      added: (d) => {
        if (this.closed || !choice.fleet || !choice.includes(d) || this.units.has(d)) return;
        this.add(d, { firstPollMs: firstPollMs + Math.floor(spot(d.id) * intervalMs), timer: true, own: false });
      },
      removed: (d) => this.remove(d),
    });
    if (this.isFleet) this.refresh();
  }

  /** The unit of a device: for `msg`, one is made on first use (no timer); undefined for a device the node may not poll. */
  unitFor(device: DeviceNode): U | undefined {
    const have = this.units.get(device);
    if (have || this.closed) return have;
    if (this.o.choice.from !== 'msg') return undefined;
    return this.add(device, { firstPollMs: 0, timer: false, own: false });
  }

  /** Every unit now. */
  all(): U[] {
    return [...this.units.values()];
  }

  get size(): number {
    return this.units.size;
  }

  /** A unit's status changed: shown as is for one device, folded into the summary for a fleet. */
  report(device: DeviceNode, s: PollStatus): void {
    if (this.closed || !this.units.has(device)) return;
    const st = this.states.get(device);
    if (st && s.phase !== 'polling') {
      st.phase = s.phase;
      if (s.phase === 'ok') st.count = s.count;
    }
    if (!this.isFleet) {
      // The configured device's status (an on-demand unit of a `msg` node shows too: it is what just ran).
      this.o.showOne(s, device);
      return;
    }
    if (s.phase === 'polling') return;
    this.refresh();
  }

  /** Stops every unit and stops following devices. */
  async close(): Promise<void> {
    this.closed = true;
    this.unlisten?.();
    this.unlisten = undefined;
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    const units = [...this.units.values()];
    this.units.clear();
    this.states.clear();
    await Promise.all([...units.map((u) => u.stop().catch(() => undefined)), ...this.stopping]);
  }

  private add(device: DeviceNode, plan: UnitPlan): U {
    const unit = this.o.make(device, plan);
    this.units.set(device, unit);
    this.states.set(device, { device, phase: 'starting', count: undefined });
    unit.start();
    if (this.isFleet) this.refresh();
    return unit;
  }

  private remove(device: DeviceNode): void {
    const unit = this.units.get(device);
    if (!unit) return;
    this.units.delete(device);
    this.states.delete(device);
    const done = unit.stop().catch(() => undefined);
    this.stopping.add(done);
    void done.finally(() => this.stopping.delete(done));
    if (this.isFleet) this.refresh();
  }

  /** The summary, at most once a second (a fleet of 1,000 devices changes many times a second). */
  private refresh(): void {
    if (this.closed || this.summaryTimer) return;
    const wait = Math.max(0, this.lastSummary + SUMMARY_EVERY_MS - Date.now());
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = undefined;
      this.lastSummary = Date.now();
      if (!this.closed) this.showSummary();
    }, wait);
  }

  private showSummary(): void {
    const states = [...this.states.values()];
    const n = states.length;
    const count = (phase: PollStatus['phase']): number => states.filter((s) => s.phase === phase).length;
    const unreachable = count('unreachable');
    const errors = count('error');
    const standby = count('standby');
    const ok = count('ok');
    const parts = [n === 1 ? t('status.fleet.device') : t('status.fleet.devices', { count: n })];
    if (n === 0) {
      setStatus(this.o.node, 'idle', parts[0] as string, false);
      return;
    }
    if (unreachable > 0) parts.push(t('status.fleet.unreachable', { count: unreachable }));
    if (errors > 0) parts.push(t('status.fleet.errors', { count: errors }));
    if (standby > 0) parts.push(t('status.fleet.standby', { count: standby }));
    if (ok + unreachable + errors + standby === 0) parts.push(t('status.fleet.starting'));
    parts.push(...(this.o.summary?.(states) ?? []));
    const failing = unreachable + errors;
    const phase = failing === 0 ? (ok > 0 ? 'ok' : 'idle') : failing === n ? 'error' : 'waiting';
    setStatus(this.o.node, phase, `${parts.join(' · ')} · ${clock()}`, false);
  }
}
