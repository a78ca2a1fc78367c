/**
 * The simulated device's state and the in-process control handle. No timer
 * runs while the device is idle: the boot timer exists only during a reboot,
 * the scenario timer only in scenario mode (both unref'd).
 */
import { type DebugFile, type TlsContext, debugFileAfterReboot, defaultTlsContexts } from './admin74';
import { AlarmList, type IdCounter } from './alarms';
import { CliConfig, DEFAULT_CLI, DEFAULT_INI, IniConfig, cliHeader, iniHeader, normalizeCliLine } from './config';
import { KpiModel } from './kpi';
import { PmModel } from './pm';
import { type FirmwareProfile, profileFor } from './profiles';
import { TestCalls } from './testcall';
import type { SimAlarm, SimAlarmInput, SimControl, SimFaults, SimLogEntry, SimStateView, SimTestCallView, SimUpload, SimulatorOptions, SimUser, TestCallBehaviour } from './types';

export const HA_SYNC = 'Device is currently performing HA synchronization';
export const DEFAULT_SERIAL = '277522263687112';
export const DEFAULT_LICENSE_KEY = 'jCx6r5tovCIKaBBbhPtT53Yj';
export const KEY_DESCRIPTION =
  'Key features: Board Type: Mediant 800 Security: IPSEC MediaEncryption StrongEncryption EncryptControlProtocol ' +
  'Coders: G723 G729 G728 NETCODER GSM-FR GSM-EFR AMR EVRC-QCELP G727 ILBC EVRC-B ';

export const DEFAULT_USERS: SimUser[] = [
  { username: 'Admin', password: 'Admin', privilege: 'securityAdmin' },
  { username: 'Operator', password: 'Operator', privilege: 'admin' },
  { username: 'Monitor', password: 'Monitor', privilege: 'monitor' },
];

const MAX_HISTORY = 20000;
const MAX_EVENTS = 100000;
const MAX_UPLOADS = 1000;

const NO_FAULTS: SimFaults = {
  down: false,
  slowMs: 0,
  haSync: false,
  malformedJson: false,
  htmlError: false,
  dropConnection: false,
  hugeBodyBytes: 0,
};

/** Alarms of the demo scenario (realistic texts; the trunk one is cleared by the CLI line "no shutdown"). */
const SCENARIO_ALARMS: SimAlarmInput[] = [
  { description: 'Trunk is down', severity: 'Major', source: 'Trunk#1', clearedByCli: 'no shutdown' },
  { description: 'IP Group is blocked', severity: 'Major', source: 'IPGroup#2' },
  { description: 'Proxy set is unreachable', severity: 'Major', source: 'ProxySet#1' },
  { description: 'High CPU utilization', severity: 'Minor', source: 'Board#1' },
  { description: 'Network interface is down', severity: 'Critical', source: 'Board#1/EthernetPort#2' },
];

/** A fixed-size ring of log entries. */
class RequestLog {
  private ring: SimLogEntry[] = [];
  private start = 0;
  private seq = 0;

  constructor(private readonly limit: number) {}

  add(e: Omit<SimLogEntry, 'seq'>): void {
    const entry: SimLogEntry = { seq: ++this.seq, ...e };
    if (this.limit <= 0) return;
    if (this.ring.length < this.limit) this.ring.push(entry);
    else {
      this.ring[this.start] = entry;
      this.start = (this.start + 1) % this.limit;
    }
  }

  list(): SimLogEntry[] {
    return [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)].map((e) => ({ ...e }));
  }

  clear(): void {
    this.ring = [];
    this.start = 0;
  }
}

function checkText(v: unknown, name: string, max = 1000): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > max) throw new TypeError(`${name} must be a string of at most ${max} characters`);
  return v;
}

export class Device implements SimControl {
  readonly users: SimUser[];
  readonly serialNumber: string;
  readonly bootTimeMs: number;
  /** What the firmware answers (endpoints, fields, privileges, error shapes): see profiles.ts. */
  readonly profile: FirmwareProfile;
  /** The device clock's UTC offset, for timestamps written with an offset (7.4). */
  readonly utcOffsetMinutes: number;
  bootCount = 1;
  bootedAt = Date.now();
  booting = false;
  haMode = false;
  faults: SimFaults = { ...NO_FAULTS };
  readonly active: AlarmList;
  readonly history: AlarmList;
  /** Scenario mode: alarms come and go, PM and KPI values move. */
  readonly scenario: boolean;
  readonly kpi: KpiModel;
  readonly calls = new TestCalls();
  tls: TlsContext[] = defaultTlsContexts();
  debugFile?: DebugFile;
  readonly debugFileMs: number;
  /** An uploaded file takes effect only after a reset (status resetNeeded); a reboot clears it. */
  resetNeeded = false;
  private readonly events: SimStateView['alarmEvents'] = [];
  runningIni: IniConfig;
  savedIni: string;
  runningCli: CliConfig;
  savedCli: string;
  readonly uploads: SimUpload[] = [];
  license: { licenseVersion: number; serialNumber: string; key: string };
  readonly pm = new PmModel();
  private readonly requestLog: RequestLog;
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private bootTimer?: NodeJS.Timeout;
  private scenarioTimer?: NodeJS.Timeout;
  private scenarioTick = 0;
  closed = false;
  /** Set by the server: destroys every open connection but those of the control API (reboot, down). */
  disconnectAll: () => void = () => undefined;

  constructor(opts: SimulatorOptions) {
    this.users = opts.users && opts.users.length ? opts.users.map((u) => ({ ...u })) : DEFAULT_USERS.map((u) => ({ ...u }));
    this.profile = profileFor(opts.firmware);
    this.utcOffsetMinutes = opts.utcOffsetMinutes ?? 60;
    // 7.x: one sequence numbers active and history entries alike, so each list sees ids with gaps
    const shared: IdCounter | undefined = this.profile.alarms.ids === 'sparse' ? { next: 1 } : undefined;
    this.active = new AlarmList(Infinity, shared);
    this.history = new AlarmList(MAX_HISTORY, shared);
    this.scenario = !!opts.scenario;
    this.kpi = new KpiModel((opts.kpiIntervalSeconds ?? 900) * 1000);
    this.debugFileMs = opts.debugFileMs ?? 3000;
    this.serialNumber = opts.serialNumber ?? DEFAULT_SERIAL;
    this.bootTimeMs = opts.bootTimeMs ?? 3000;
    this.requestLog = new RequestLog(opts.logLimit ?? 10000);
    this.runningIni = IniConfig.fromText(DEFAULT_INI);
    this.savedIni = this.runningIni.serialize();
    this.runningCli = CliConfig.fromText(DEFAULT_CLI);
    this.savedCli = this.runningCli.serialize();
    this.license = { licenseVersion: 1, serialNumber: this.serialNumber, key: DEFAULT_LICENSE_KEY };
    for (const a of opts.initialAlarms ?? []) this.raiseAlarm(a);
    if (opts.scenario) this.startScenario(typeof opts.scenario === 'object' ? (opts.scenario.periodMs ?? 5000) : 5000);
  }

  get up(): boolean {
    return !this.booting && !this.faults.down && !this.closed;
  }

  get info(): { serialNumber: string; versionID: string; productType: string } {
    return { serialNumber: this.serialNumber, versionID: this.profile.versionID, productType: this.profile.productType };
  }

  /** 12 lowercase hex digits, no separators (as 7.x /status writes it), derived from the serial number. */
  get macAddress(): string {
    let h = 0x5a17;
    for (const ch of this.serialNumber) h = (h * 33 + ch.charCodeAt(0)) >>> 0;
    return '00908f' + (h & 0xffffff).toString(16).padStart(6, '0');
  }

  /** Sources of the active alarms (an IP group is down while one names it). */
  activeSources(): Set<string> {
    return new Set(this.active.all().map((a) => a.source));
  }

  iniText(): string {
    return iniHeader(this.info) + this.runningIni.serialize();
  }

  cliText(): string {
    return cliHeader(this.info) + this.runningCli.serialize();
  }

  // ------------------------------------------------------------ alarms

  raiseAlarm(a: SimAlarmInput): SimAlarm {
    if (!a || typeof a.description !== 'string' || a.description.trim() === '' || a.description.length > 1000) {
      throw new TypeError('description must be a non-empty string of at most 1000 characters');
    }
    const severity = checkText(a.severity, 'severity', 100) ?? 'Major';
    const source = checkText(a.source, 'source', 200) ?? 'Board#1';
    const clearedByCli = checkText(a.clearedByCli, 'clearedByCli');
    const date = new Date().toISOString();
    const alarm = this.active.add({ description: a.description, severity, source, date, ...(clearedByCli ? { clearedByCli } : {}) });
    this.history.add({ description: a.description, severity, source, date });
    this.recordEvent('raised', alarm);
    return { ...alarm };
  }

  private recordEvent(event: 'raised' | 'cleared', alarm: SimAlarm): void {
    this.events.push({ event, alarm: { ...alarm }, bootCount: this.bootCount });
    if (this.events.length > MAX_EVENTS) this.events.splice(0, MAX_EVENTS / 10);
  }

  clearAlarm(id: string): boolean {
    const alarm = this.active.remove(String(id));
    if (!alarm) return false;
    this.history.add({ description: alarm.description, severity: 'Cleared', source: alarm.source, date: new Date().toISOString() });
    this.recordEvent('cleared', alarm);
    return true;
  }

  clearAllAlarms(): number {
    const ids = this.active.all().map((a) => a.id);
    for (const id of ids) this.clearAlarm(id);
    return ids.length;
  }

  /** Clear the active alarms whose `clearedByCli` line is among the script's lines. */
  clearByCli(lines: string[]): string[] {
    const set = new Set(lines.map((l) => normalizeCliLine(l).toLowerCase()));
    const ids = this.active
      .all()
      .filter((a) => a.clearedByCli && set.has(normalizeCliLine(a.clearedByCli).toLowerCase()))
      .map((a) => a.id);
    for (const id of ids) this.clearAlarm(id);
    return ids;
  }

  // ------------------------------------------------------------ configuration

  saveConfiguration(): void {
    this.savedIni = this.runningIni.serialize();
    this.savedCli = this.runningCli.serialize();
  }

  get unsaved(): boolean {
    return this.runningIni.serialize() !== this.savedIni || this.runningCli.serialize() !== this.savedCli;
  }

  recordUpload(u: Omit<SimUpload, 'time'>): void {
    this.uploads.push({ ...u, time: new Date().toISOString() });
    if (this.uploads.length > MAX_UPLOADS) this.uploads.splice(0, this.uploads.length - MAX_UPLOADS);
  }

  // ------------------------------------------------------------ CLI queries

  /**
   * Answer a CLI `show` command, or undefined for an unknown one (which makes
   * the script incorrect). Known: `show system uptime`, `show system version`,
   * `show running-config [system|network|voip|troubleshoot|data]`,
   * `show active-alarms`, `show high-availability status`.
   */
  show(cmd: string, cfg: CliConfig): string | undefined {
    const t = cmd.replace(/^show ?/, '');
    if (t === 'system uptime') {
      let s = Math.floor((Date.now() - this.bootedAt) / 1000);
      const d = Math.floor(s / 86400);
      s -= d * 86400;
      const h = Math.floor(s / 3600);
      s -= h * 3600;
      const m = Math.floor(s / 60);
      s -= m * 60;
      return `Uptime: ${d} days, ${h} hours, ${m} minutes, ${s} seconds`;
    }
    if (t === 'system version') {
      return [`Version info:`, `  Product type: ${this.profile.productType}`, `  Software version: ${this.profile.versionID}`, `  Serial number: ${this.serialNumber}`].join('\n');
    }
    if (t === 'running-config') return cfg.serialize().replace(/\r\n/g, '\n').trimEnd();
    const area = /^running-config (system|network|voip|troubleshoot|data)$/.exec(t);
    if (area) return cfg.serialize(area[1]).replace(/\r\n/g, '\n').trimEnd();
    if (t === 'active-alarms') {
      const list = this.active.all();
      if (list.length === 0) return 'No active alarms';
      const rows = list.map((a) => [a.id, a.source, a.severity, a.date, a.description]);
      const head = ['Seq.', 'Source', 'Severity', 'Date', 'Description'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      const fmt = (r: string[]): string => r.map((x, i) => (i === r.length - 1 ? x : x.padEnd(widths[i]))).join('  ');
      return [fmt(head), ...rows.map(fmt)].join('\n');
    }
    if (t === 'high-availability status') {
      return this.haMode ? 'HA Status: Active\nRedundant unit: Standby, synchronized' : 'HA is not configured (Stand Alone)';
    }
    return undefined;
  }

  // ------------------------------------------------------------ lifecycle

  /**
   * Reboot: from now on the device is unreachable; active alarms are
   * cleared by the reboot (recorded with the old bootCount), history emptied,
   * ids start again from 1, running configuration = saved. Connections are
   * destroyed now, or after `afterResponse` has gone out (so a reset's own
   * answer reaches the client).
   */
  reboot(bootTimeMs?: number, afterResponse?: { once(ev: 'close', fn: () => void): unknown }): void {
    if (this.closed) return;
    const ms = bootTimeMs ?? this.bootTimeMs;
    if (!Number.isFinite(ms) || ms < 0) throw new TypeError('bootTimeMs must be a number >= 0');
    this.booting = true;
    for (const a of this.active.reset()) this.recordEvent('cleared', a);
    this.history.reset();
    this.bootCount++;
    this.runningIni = IniConfig.fromText(this.savedIni);
    this.runningCli = CliConfig.fromText(this.savedCli);
    this.resetNeeded = false;
    this.calls.clear();
    this.debugFile = debugFileAfterReboot(this.debugFile, Date.now());
    if (this.bootTimer) clearTimeout(this.bootTimer);
    this.bootTimer = setTimeout(() => {
      this.bootTimer = undefined;
      this.booting = false;
      this.bootedAt = Date.now();
      this.wake();
    }, ms);
    this.bootTimer.unref();
    if (afterResponse) afterResponse.once('close', () => setTimeout(() => this.booting && this.disconnectAll(), 20).unref());
    else this.disconnectAll();
  }

  private wake(): void {
    if (!this.up) return;
    const w = this.waiters;
    this.waiters = [];
    for (const x of w) x.resolve();
  }

  waitUntilUp(): Promise<void> {
    if (this.up) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('simulator is closed'));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  setFaults(f: Partial<SimFaults>, afterResponse?: { once(ev: 'close', fn: () => void): unknown }): SimFaults {
    const next: SimFaults = { ...this.faults };
    if (f === null || typeof f !== 'object') throw new TypeError('faults must be an object');
    for (const [k, v] of Object.entries(f)) {
      if (!(k in NO_FAULTS)) throw new TypeError(`unknown fault "${k}"`);
      const key = k as keyof SimFaults;
      if (typeof NO_FAULTS[key] === 'boolean') {
        if (typeof v !== 'boolean') throw new TypeError(`fault "${k}" must be a boolean`);
        (next as unknown as Record<string, unknown>)[k] = v;
      } else {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`fault "${k}" must be a number >= 0`);
        (next as unknown as Record<string, unknown>)[k] = Math.floor(v);
      }
    }
    const goingDown = next.down && !this.faults.down;
    this.faults = next;
    if (goingDown) {
      if (afterResponse) afterResponse.once('close', () => setTimeout(() => this.faults.down && this.disconnectAll(), 20).unref());
      else this.disconnectAll();
    }
    this.wake();
    return { ...this.faults };
  }

  setHaMode(enabled: boolean): void {
    if (typeof enabled !== 'boolean') throw new TypeError('enabled must be a boolean');
    this.haMode = enabled;
  }

  setPmValue(pm: string, index: number, value: number): void {
    this.pm.pin(pm, index, value);
  }

  private needs(feature: 'kpi' | 'sipTestCall', what: string): void {
    if (!this.profile.features.has(feature)) throw new TypeError(`firmware ${this.profile.firmware} has no ${what}`);
  }

  setKpiValue(path: string, value: number | null): void {
    this.needs('kpi', 'KPI API (/kpi)');
    this.kpi.pin(path, value);
  }

  clearKpiValues(): void {
    this.kpi.clearPins();
  }

  setTestCallDestination(destination: string, behaviour: TestCallBehaviour | null): void {
    this.needs('sipTestCall', 'SIP test call (/sipTestCall)');
    this.calls.setDestination(destination, behaviour);
  }

  resetTestCallDestinations(): void {
    this.calls.resetDestinations();
  }

  testCalls(): SimTestCallView[] {
    return this.calls.view(Date.now());
  }

  log(): SimLogEntry[] {
    return this.requestLog.list();
  }

  clearLog(): void {
    this.requestLog.clear();
  }

  addLog(e: Omit<SimLogEntry, 'seq'>): void {
    this.requestLog.add(e);
  }

  state(): SimStateView {
    return {
      firmware: this.profile.firmware,
      bootCount: this.bootCount,
      up: this.up,
      haMode: this.haMode,
      faults: { ...this.faults },
      activeAlarms: this.active.all().map((a) => ({ ...a })),
      historyAlarms: this.history.all().map((a) => ({ ...a })),
      ini: this.iniText(),
      cliScript: this.cliText(),
      unsaved: this.unsaved,
      resetNeeded: this.resetNeeded,
      uploads: this.uploads.map((u) => ({ ...u })),
      license: { ...this.license },
      alarmEvents: this.events.map((e) => ({ event: e.event, alarm: { ...e.alarm }, bootCount: e.bootCount })),
      testCalls: this.testCalls(),
    };
  }

  // ------------------------------------------------------------ scenario

  /**
   * Demo scenario: every period, raise one of the realistic alarms that is
   * not active (while fewer than three are), or clear the oldest one.
   */
  private startScenario(periodMs: number): void {
    if (!Number.isFinite(periodMs) || periodMs < 10) throw new TypeError('scenario periodMs must be >= 10');
    this.scenarioTimer = setInterval(() => this.scenarioStep(), periodMs);
    this.scenarioTimer.unref();
  }

  private scenarioStep(): void {
    if (!this.up) return;
    this.scenarioTick++;
    const active = this.active.all();
    const isActive = (t: SimAlarmInput): boolean => active.some((a) => a.description === t.description && a.source === t.source);
    const inactive = SCENARIO_ALARMS.filter((t) => !isActive(t));
    const ours = active.filter((a) => SCENARIO_ALARMS.some((t) => t.description === a.description && t.source === a.source));
    const raise = inactive.length > 0 && (ours.length < 2 || (ours.length < 3 && this.scenarioTick % 3 !== 0));
    if (raise) this.raiseAlarm(inactive[(this.scenarioTick - 1) % inactive.length]);
    else if (ours.length) this.clearAlarm(ours[0].id);
  }

  close(): void {
    this.closed = true;
    if (this.bootTimer) clearTimeout(this.bootTimer);
    if (this.scenarioTimer) clearInterval(this.scenarioTimer);
    this.bootTimer = undefined;
    this.scenarioTimer = undefined;
    const w = this.waiters;
    this.waiters = [];
    for (const x of w) x.reject(new Error('simulator is closed'));
  }
}
