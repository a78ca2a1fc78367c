/**
 * Public types of the device simulator (`mediant-sim`). The simulator lives
 * alone: it imports nothing from src/client or src/nodes.
 *
 * Control API: the same operations as `SimControl`, over HTTP under `/__sim/`
 * (outside `/api`, no Basic auth needed), JSON in and out:
 *   POST /__sim/alarms            {description, severity?, source?, clearedByCli?} -> 201 {id}
 *   GET /__sim/alarms             -> SimAlarm[] (active)
 *   DELETE /__sim/alarms/<id>     clear an active alarm -> 200 {id} | 404
 *   POST /__sim/alarms/clear-all  -> 200 {cleared: n}
 *   POST /__sim/reboot            {bootTimeMs?} -> 202
 *   PUT /__sim/faults             Partial<SimFaults> -> 200 SimFaults
 *   GET /__sim/faults             -> SimFaults
 *   PUT /__sim/ha                 {enabled: boolean} -> 200 {enabled} ; GET /__sim/ha -> {enabled}
 *   GET /__sim/log                -> SimLogEntry[] ; DELETE /__sim/log clears it
 *   GET /__sim/state              -> SimStateView
 *   POST /__sim/pm                {pm, index, value} set a PM's current value
 *   POST /__sim/kpi               {path, value} pin a KPI's current value (7.4; value null = the device reports null)
 *   DELETE /__sim/kpi             unpin every KPI
 *   PUT /__sim/test-call/destinations  {destination, outcome, afterMs?, mos?, packetLoss?} what a destination does (7.4)
 *   DELETE /__sim/test-call/destinations  back to the defaults
 *   GET /__sim/test-calls         -> SimTestCallView[] (the calls the device holds)
 *   GET /__sim/certificate        -> PEM of the HTTPS certificate (404 over plain http)
 * Bad input -> 400 {description}; unknown path 404; wrong method 405.
 * The control API stays reachable while the device is down or rebooting.
 * More on the simulated behaviour: src/simulator/README.md.
 */

export type Privilege = 'securityAdmin' | 'admin' | 'monitor';

export type Firmware = '7.0' | '7.2' | '7.4';

export interface SimUser {
  username: string;
  password: string;
  /**
   * 7.0 and 7.2: only securityAdmin may use the REST API, others get 403.
   * 7.4: the level each resource needs (monitor reads status, alarms, KPIs
   * and places test calls; admin does actions, files and license reads;
   * securityAdmin license writes and auth tokens). See profiles.ts.
   */
  privilege: Privilege;
}

/** What a test call destination does (7.4, control API). */
export interface TestCallBehaviour {
  /** answer; busy; noAnswer (rings until the call's timeout); reject; unreachable (nothing answers the INVITE); noResources. */
  outcome: 'answer' | 'busy' | 'noAnswer' | 'reject' | 'unreachable' | 'noResources';
  /** When it answers, alerts or releases, ms after the dial. Default 300 (unreachable: 32000, SIP Timer B). */
  afterMs?: number;
  /** Media quality of an answered call: MOS 1–5 (default 4.3), packet loss in percent (default 0.1). */
  mos?: number;
  packetLoss?: number;
}

export interface SimTestCallView {
  sessionId: number;
  /** What was dialled: "IP Group 1 (PSTN Trunk)" or the destAddress. */
  destination: string;
  callStatus: string;
  releaseCause?: string;
  /** Whether the call connected (at some point). */
  connected: boolean;
}

export interface SimulatorOptions {
  /**
   * The firmware to play: '7.0' (the vendor's 2015 document), '7.2' or '7.4'
   * (src/simulator/profiles.ts). Default '7.4': what a device bought today runs.
   */
  firmware?: Firmware;
  /** The device clock's UTC offset in minutes, for the timestamps 7.4 writes with an offset. Default 60 (+01:00). */
  utcOffsetMinutes?: number;
  /** Length of a KPI interval (7.4), seconds. Default 900, as a device's. */
  kpiIntervalSeconds?: number;
  /** How long the device takes to make a debug file (7.4), ms. Default 3000. */
  debugFileMs?: number;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** true: HTTPS with a self-signed certificate made at start; or PEM files/strings. Default false (http). */
  tls?: boolean | { cert: string | Buffer; key: string | Buffer };
  /** Default: Admin/Admin (securityAdmin), Operator/Operator (admin) and Monitor/Monitor (monitor). */
  users?: SimUser[];
  /** How long a reset keeps the device unreachable, ms. Default 3000. */
  bootTimeMs?: number;
  /** Start the demo scenario: alarms raised/cleared and PM and KPI values moving over time (KPI values stay put otherwise). */
  scenario?: boolean | { periodMs?: number };
  /** Device serial number (license check). Default "277522263687112". */
  serialNumber?: string;
  /** Alarms present at start (active). */
  initialAlarms?: SimAlarmInput[];
  /** Keep at most this many request log entries (oldest dropped). Default 10000. */
  logLimit?: number;
}

export interface SimFaults {
  /** Device down: connections are refused/reset, as during a reboot. */
  down: boolean;
  /** Delay every /api answer by this many ms. 0 = off. */
  slowMs: number;
  /** HA synchronization in progress: actions, uploads and JSON license answer 409. */
  haSync: boolean;
  /** JSON answers are truncated (malformed). */
  malformedJson: boolean;
  /** Every /api answer is a 500 with an HTML page. */
  htmlError: boolean;
  /** The connection is destroyed before any answer. */
  dropConnection: boolean;
  /** Send a body of this many bytes for GET /status (oversized answer). 0 = off. */
  hugeBodyBytes: number;
}

export interface SimLogEntry {
  /** Monotonic sequence number. */
  seq: number;
  time: string;
  method: string;
  /** Path with query string, as received, e.g. `/api/v1/alarms/active?after=2`. */
  path: string;
  status: number;
  /** Request body bytes received (uploads). */
  bytes: number;
  /** Whether the request carried an Authorization header (never its value). */
  authenticated: boolean;
}

export interface SimUpload {
  fileType: string;
  bytes: number;
  sha256: string;
  contentType: string;
  time: string;
}

export interface SimAlarm {
  id: string;
  description: string;
  severity: string;
  source: string;
  date: string;
  /** When an incremental CLI script contains this line, the alarm clears (remediation demo). */
  clearedByCli?: string;
}

/** What raises an alarm: only `description` is required (severity default "Major", source "Board#1"). */
export interface SimAlarmInput {
  description: string;
  severity?: string;
  source?: string;
  /** A CLI line (compared trimmed, whitespace-collapsed, case-insensitive) that clears the alarm when an incremental CLI script contains it. */
  clearedByCli?: string;
}

export interface SimStateView {
  firmware: Firmware;
  /** 1 after start; +1 on every reboot (reset action, resetting upload, license, control reboot). */
  bootCount: number;
  up: boolean;
  haMode: boolean;
  faults: SimFaults;
  activeAlarms: SimAlarm[];
  historyAlarms: SimAlarm[];
  /** Running configuration (INI text as the device would send it). */
  ini: string;
  cliScript: string;
  /** Whether running configuration differs from saved configuration. */
  unsaved: boolean;
  /** An uploaded file waits for a reset to take effect (CPT, CAS table). */
  resetNeeded: boolean;
  uploads: SimUpload[];
  license: { licenseVersion: number; serialNumber: string; key: string };
  /** Every alarm event since the simulator started, in order (the record tests compare with). */
  alarmEvents: Array<{ event: 'raised' | 'cleared'; alarm: SimAlarm; bootCount: number }>;
  /** The test calls the device holds (7.4). */
  testCalls: SimTestCallView[];
}

export interface SimControl {
  raiseAlarm(a: SimAlarmInput): SimAlarm;
  clearAlarm(id: string): boolean;
  clearAllAlarms(): number;
  /** Reboot now: unreachable for bootTimeMs (or the given ms), then up with empty history and ids from 1. */
  reboot(bootTimeMs?: number): void;
  setFaults(f: Partial<SimFaults>): SimFaults;
  setHaMode(enabled: boolean): void;
  setPmValue(pm: string, index: number, value: number): void;
  /** Pin a KPI's current value: path below /kpi/current, e.g. "sbc/callStats/ipGroup/1/activeCallsIn"; null = the device reports null. 7.4 only (throws otherwise). */
  setKpiValue(path: string, value: number | null): void;
  /** Unpin every KPI. */
  clearKpiValues(): void;
  /**
   * What a test call destination does (7.4 only): "*" (any destination not
   * named otherwise; default unreachable), an IP group's index or name
   * (default: answers, unless an active alarm names it), or a destAddress.
   * null forgets the setting.
   */
  setTestCallDestination(destination: string, behaviour: TestCallBehaviour | null): void;
  /** Forget every destination setting. */
  resetTestCallDestinations(): void;
  testCalls(): SimTestCallView[];
  log(): SimLogEntry[];
  clearLog(): void;
  state(): SimStateView;
  /** Resolves when the device answers again after a reboot (immediately when up). */
  waitUntilUp(): Promise<void>;
}

export interface Simulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  host: string;
  port: number;
  protocol: 'http' | 'https';
  /** PEM of the self-signed certificate when tls is on (to trust it as a CA). */
  certificate?: string;
  control: SimControl;
  close(): Promise<void>;
}
