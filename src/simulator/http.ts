/**
 * HTTP side of the simulator: the device's REST API under /api (Basic auth,
 * section 11 status codes, faults) and the control API under /__sim/ (no
 * auth). Paths in comments are under /api/v1 unless they say otherwise. What
 * the firmware offers (resources, fields, privileges, error shapes) comes
 * from the device's profile (profiles.ts); the routes of a firmware are
 * built once from it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import * as admin from './admin74';
import { consumeUpload, readSmallBody } from './body';
import { CliConfig, ConfigError, IniConfig, decodeText, parseIni } from './config';
import { Device, HA_SYNC, KEY_DESCRIPTION } from './device';
import { PM_NAMES } from './pm';
import { type Feature, type FirmwareProfile, allows, formatTime, levelFor } from './profiles';
import { type Ctx, type Handler, HttpError, empty, fail, json, readJson, send, stillUp } from './respond';
import type { SimUser } from './types';

const TEXT_MAX = 16 * 1024 * 1024;
const LICENSE_MAX = 1024 * 1024;
const JSON_MAX = 64 * 1024;
/** Largest alarm page served: "the device may return fewer alarms ... if the user-specified number is too large". */
export const MAX_ALARM_LIMIT = 100;
const DEFAULT_ALARM_LIMIT = 20;
const LICENSE_KEY = /^[A-Za-z0-9+/=_-]{8,4096}$/;
const CURSOR = /^(0|[1-9][0-9]{0,14})$/;

type Produces = 'application/json' | 'application/octet-stream';

interface Route {
  handlers: Partial<Record<string, Handler>>;
  /** What each method answers with (406 check); default JSON. */
  produces?: Partial<Record<string, Produces>>;
  /** A resource that 7.4 added: its errors carry the profile's newErrorKey. */
  added?: boolean;
}

// ------------------------------------------------------------------ navigation

interface NavItem {
  id: string;
  description: string;
  url: string;
  /** Listed only on a firmware with this feature. */
  feature?: Feature;
}

const NAV_ITEMS: NavItem[] = [
  { id: 'actions', description: 'Device actions', url: '/api/v1/actions' },
  // The document's example gives alarms the url "/api/v1/actions" (a copy-paste
  // typo); the navigation tree puts alarms at /api/v1/alarms, which we serve.
  { id: 'alarms', description: 'Device alarms', url: '/api/v1/alarms' },
  { id: 'files', description: 'Upload and download of configuration files', url: '/api/v1/files' },
  { id: 'kpi', description: 'Performance monitoring (KPI)', url: '/api/v1/kpi', feature: 'kpi' },
  { id: 'license', description: 'License management', url: '/api/v1/license' },
  { id: 'performanceMonitoring', description: 'Performance monitoring', url: '/api/v1/performanceMonitoring', feature: 'performanceMonitoring' },
  { id: 'sipTestCall', description: 'SIP test call', url: '/api/v1/sipTestCall', feature: 'sipTestCall' },
  { id: 'status', description: 'Device status', url: '/api/v1/status' },
];

const ACTION_ITEMS: NavItem[] = [
  { id: 'authToken', description: 'Generate a Web single sign-on token', url: '/api/v1/actions/authToken', feature: 'authToken' },
  { id: 'reset', description: 'Reset device', url: '/api/v1/actions/reset' },
  { id: 'saveConfiguration', description: 'Save device configuration to NVRAM', url: '/api/v1/actions/saveConfiguration' },
];

const TEST_CALL_ITEMS: NavItem[] = [
  { id: 'dial', description: 'Place a test call (POST)', url: '/api/v1/sipTestCall/dial' },
  { id: 'getStatus', description: 'Status of a test call', url: '/api/v1/sipTestCall/getStatus' },
  { id: 'show', description: 'Configuration of a test call', url: '/api/v1/sipTestCall/show' },
  { id: 'drop', description: 'Drop a test call (DELETE)', url: '/api/v1/sipTestCall/drop' },
];

const offered = (p: FirmwareProfile, items: NavItem[]): Array<Omit<NavItem, 'feature'>> =>
  items.filter((x) => !x.feature || p.features.has(x.feature)).map(({ feature: _f, ...rest }) => rest);

interface FileDef {
  description: string;
  /** Used in answers: "<label> is incorrect", "<label> was loaded". */
  label: string;
  /** The simulator reads the file (kept up to TEXT_MAX), instead of only hashing it. */
  text?: boolean;
  /** Downloadable with GET. */
  download?: boolean;
  /** Takes effect only after a reset (status resetNeeded). */
  needsReset?: boolean;
}

export const FILES: Record<string, FileDef> = {
  ini: { description: 'INI configuration file', label: 'INI file', text: true, download: true },
  'ini/incremental': { description: 'Incremental INI configuration file', label: 'Incremental INI file', text: true },
  software: { description: 'Software load', label: 'Software load' },
  'software/hitless': { description: 'Hitless software upgrade (HA systems)', label: 'Software load' },
  cliScript: { description: 'CLI configuration script', label: 'CLI script', text: true, download: true },
  'cliScript/incremental': { description: 'Incremental CLI configuration script', label: 'Incremental CLI script', text: true },
  amd: { description: 'Answering machine detection file', label: 'AMD file' },
  castable: { description: 'CAS table', label: 'CAS table file', needsReset: true },
  codertable: { description: 'External coders table', label: 'Coder table file' },
  cpt: { description: 'Call progress tones', label: 'Call progress tones file', needsReset: true },
  dialplan: { description: 'Dialing plan', label: 'Dial plan file' },
  prt: { description: 'Pre-recorded tones', label: 'Pre-recorded tones file' },
  voiceprompts: { description: 'Voice prompts', label: 'Voice prompts file' },
  // 7.4's "Additional Files"
  'configurationPackage.tar.gz': { description: 'Configuration package', label: 'Configuration package' },
  debugFile: { description: 'Debug file (of the active unit if HA)', label: 'Debug file' },
  debugFileRedundant: { description: 'Debug file of the redundant unit', label: 'Debug file' },
  sbcWizard: { description: 'SBC wizard template package', label: 'SBC wizard package' },
};

// ------------------------------------------------------------------ handlers

async function reset(c: Ctx): Promise<void> {
  if (c.dev.faults.haSync) return fail(c, 409, HA_SYNC);
  const body = await readJson(c);
  for (const [k, v] of Object.entries(body)) {
    if (k === 'saveConfiguration') {
      if (typeof v !== 'boolean') return fail(c, 400, 'Invalid value of attribute "saveConfiguration": expected true or false');
    } else if (k === 'gracefulTimeout') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        return fail(c, 400, 'Invalid value of attribute "gracefulTimeout": expected a number of seconds >= 0');
      }
    } else return fail(c, 400, `Unsupported attribute "${k}"`);
  }
  if (!stillUp(c)) return;
  // gracefulTimeout 1 (wait for calls) or N seconds: the simulator carries no
  // calls, so there is nothing to wait for and it resets right away.
  if (body.saveConfiguration !== false) c.dev.saveConfiguration();
  json(c, 200, { description: 'Device will reset now' });
  c.dev.reboot(undefined, c.res);
}

async function saveConfiguration(c: Ctx): Promise<void> {
  if (c.dev.faults.haSync) return fail(c, 409, HA_SYNC);
  await readSmallBody(c.req, JSON_MAX, c.onBytes).catch(() => undefined);
  if (!stillUp(c)) return;
  c.dev.saveConfiguration();
  empty(c, 200); // documented: 200 OK with no body
}

function getFile(c: Ctx, type: string): void {
  const text = type === 'ini' ? c.dev.iniText() : c.dev.cliText();
  send(c, 200, text, 'application/octet-stream');
}

function incorrect(c: Ctx, label: string, e: unknown): void {
  if (e instanceof ConfigError) return fail(c, 400, `${label} is incorrect: ${e.message}`);
  throw e;
}

async function putFile(c: Ctx, type: string): Promise<void> {
  const f = FILES[type];
  const dev = c.dev;
  // the document shows the HA-synchronization 409 for every upload, hitless included
  if (dev.faults.haSync) return fail(c, 409, HA_SYNC);
  if (type === 'software/hitless' && !dev.haMode) {
    return fail(c, 409, 'Hitless software upgrade is only supported in HA configuration');
  }
  const up = await consumeUpload(c.req, f.text ? TEXT_MAX : 0, c.onBytes);
  if (!stillUp(c)) return;
  if (up.multipartError) return fail(c, 400, `${f.label} is incorrect: ${up.multipartError}`);
  if (up.bytes === 0) return fail(c, 400, `${f.label} is incorrect`);
  if (up.tooLarge) return fail(c, 400, `${f.label} is incorrect: larger than ${TEXT_MAX} bytes`);
  const record = (): void => dev.recordUpload({ fileType: type, bytes: up.bytes, sha256: up.sha256, contentType: up.contentType });
  const show = (cmd: string, cfg: CliConfig): string | undefined => dev.show(cmd, cfg);
  try {
    switch (type) {
      case 'ini': {
        const cfg = IniConfig.fromText(decodeText(up.data as Buffer));
        record();
        // a full file is written to flash with the rest of the running configuration, then the device resets
        dev.runningIni = cfg;
        dev.saveConfiguration();
        json(c, 200, { description: 'Device will reset now to activate new configuration' });
        dev.reboot(undefined, c.res);
        return;
      }
      case 'ini/incremental': {
        const ops = parseIni(decodeText(up.data as Buffer));
        dev.runningIni.apply(ops);
        record();
        empty(c, 200); // documented: 200 OK with no body
        return;
      }
      case 'cliScript': {
        const cfg = CliConfig.fromText(decodeText(up.data as Buffer), show);
        record();
        dev.runningCli = cfg;
        dev.saveConfiguration();
        json(c, 200, { description: 'Device will reset now to activate new configuration' });
        dev.reboot(undefined, c.res);
        return;
      }
      case 'cliScript/incremental': {
        const cli = dev.profile.cli;
        let r: ReturnType<CliConfig['run']>;
        try {
          r = dev.runningCli.run(decodeText(up.data as Buffer), show);
        } catch (e) {
          // 7.4: a refused script is a 200 whose status is not "success" (the failure string is
          // unknown; "failure" is not "success", which is all a client may rely on)
          if (cli.status && e instanceof ConfigError) {
            return json(c, 200, { status: 'failure', description: `${f.label} is incorrect: ${e.message}`, output: `Error: ${e.message}` });
          }
          throw e;
        }
        record();
        dev.clearByCli(r.lines);
        json(c, 200, cli.status ? { status: 'success', description: cli.loaded, output: r.output } : { description: cli.loaded, output: r.output });
        return;
      }
      case 'software':
        record();
        dev.saveConfiguration();
        json(c, 200, { description: 'Device will reset now to activate new software load' });
        dev.reboot(undefined, c.res);
        return;
      case 'software/hitless':
        // a switchover to the redundant unit: service is not interrupted, the simulator stays up
        record();
        json(c, 200, { description: 'Device will perform switchover to activate new software load' });
        return;
      default:
        record();
        if (f.needsReset) dev.resetNeeded = true;
        json(c, 200, { description: `${f.label} was loaded` });
    }
  } catch (e) {
    incorrect(c, f.label, e);
  }
}

function alarmList(c: Ctx, kind: 'active' | 'history'): void {
  const q = c.query;
  let limit = DEFAULT_ALARM_LIMIT;
  const l = q.get('limit');
  if (l !== null) {
    if (!/^[0-9]{1,9}$/.test(l) || Number(l) < 1) return fail(c, 400, 'Invalid limit');
    limit = Math.min(Number(l), MAX_ALARM_LIMIT);
  }
  const a = q.get('after');
  const b = q.get('before');
  if (a !== null && b !== null) return fail(c, 400, 'Invalid cursor: use either after or before');
  for (const v of [a, b]) if (v !== null && !CURSOR.test(v)) return fail(c, 400, 'Invalid cursor');
  const list = kind === 'active' ? c.dev.active : c.dev.history;
  const shape = c.dev.profile.alarms;
  const page = list.page(limit, a !== null ? Number(a) : undefined, b !== null ? Number(b) : undefined);
  if (!page) {
    // 7.x: the first page of an empty list is a 200 with a cursor and no "alarms" member
    if (shape.emptyList === 'cursorOnly' && list.size === 0 && a === null && b === null) {
      return json(c, 200, { cursor: { ...(shape.cursorExtent ? { start: '-1' } : {}), after: '-1', before: '-1', ...(shape.cursorExtent ? { end: '-1' } : {}) } });
    }
    return empty(c, 204);
  }
  json(c, 200, {
    alarms: page.alarms.map((x) => ({
      id: x.id,
      description: x.description,
      // The document's history example lists urls under /alarms/active (a typo):
      // history entries are served, and linked, at /alarms/history/<id>.
      url: `/api/v1/alarms/${kind}/${x.id}`,
    })),
    cursor: shape.cursorExtent ? { start: page.start, before: page.cursor.before, after: page.cursor.after, end: page.end } : page.cursor,
  });
}

function alarmDetails(c: Ctx, kind: 'active' | 'history'): void {
  const list = kind === 'active' ? c.dev.active : c.dev.history;
  const a = list.get(c.params[0]);
  if (!a) return fail(c, 404, 'Alarm not found');
  const date = formatTime(c.dev.profile, Date.parse(a.date), c.dev.utcOffsetMinutes);
  json(c, 200, { id: a.id, description: a.description, severity: a.severity, source: a.source, date, url: `/api/v1/alarms/${kind}/${a.id}` });
}

function networkOf(ip: string): { subnetMask: string; defaultGateway: string } {
  if (isIP(ip) !== 4) return { subnetMask: 'ffff:ffff:ffff:ffff::', defaultGateway: '::' };
  if (ip.startsWith('127.')) return { subnetMask: '255.0.0.0', defaultGateway: '0.0.0.0' };
  const p = ip.split('.');
  return { subnetMask: '255.255.255.0', defaultGateway: `${p[0]}.${p[1]}.${p[2]}.1` };
}

/** The device's own address, as /status and a test call's Call-ID show it. */
function deviceIp(c: Ctx): string {
  const wildcard = c.listenHost === '0.0.0.0' || c.listenHost === '::' || c.listenHost === '';
  const ip = wildcard ? (c.req.socket.localAddress ?? '127.0.0.1') : c.listenHost;
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

async function status(c: Ctx): Promise<void> {
  const dev = c.dev;
  const p = dev.profile;
  const ip = deviceIp(c);
  const now = Date.now();
  const stamp = formatTime(p, now, dev.utcOffsetMinutes);
  const body: Record<string, unknown> = {
    localTimeStamp: stamp,
    ipAddress: ip,
    ...networkOf(ip),
    productType: p.productType,
    versionID: p.versionID,
    protocolType: 'SIP',
    operationalState: 'UNLOCKED',
    highAvailability: dev.haMode ? p.status.highAvailability.ha : p.status.highAvailability.standalone,
  };
  const flag = (v: boolean): boolean | string => (p.status.flags === 'boolean' ? v : String(v));
  for (const field of p.status.fields) {
    switch (field) {
      case 'serialNumber':
        body.serialNumber = dev.serialNumber;
        break;
      case 'macAddress':
        body.macAddress = dev.macAddress;
        break;
      case 'systemUpTime':
        // unknown: the unit (clients disagree: seconds or centiseconds); the simulator counts seconds
        body.systemUpTime = Math.floor((now - dev.bootedAt) / 1000);
        break;
      case 'saveNeeded':
        body.saveNeeded = flag(dev.unsaved);
        break;
      case 'resetNeeded':
        body.resetNeeded = flag(dev.resetNeeded);
        break;
      case 'upgradeStatus':
        body.upgradeStatus = 'None';
        break;
      case 'osType':
        // [C] "8"; what it means is unknown
        body.osType = '8';
        break;
      case 'acceleratedNetworking':
        body.acceleratedNetworking = 'enabled';
        break;
    }
  }
  if (dev.faults.hugeBodyBytes > 0) return sendHuge(c, dev.faults.hugeBodyBytes, stamp);
  json(c, 200, body);
}

/** Fault hugeBodyBytes: a JSON answer of exactly n bytes (at least its frame), streamed with backpressure. */
async function sendHuge(c: Ctx, n: number, stamp: string): Promise<void> {
  const head = `{"localTimeStamp":"${stamp}","padding":"`;
  const tail = '"}';
  const pad = Math.max(0, n - head.length - tail.length);
  c.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(head.length + pad + tail.length) });
  c.res.write(head);
  const chunk = Buffer.alloc(64 * 1024, 0x78);
  let left = pad;
  while (left > 0) {
    if (c.res.destroyed) return;
    const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
    left -= part.length;
    if (!c.res.write(part)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          c.res.off('drain', done);
          c.res.off('close', done);
          resolve();
        };
        c.res.on('drain', done);
        c.res.on('close', done);
      });
    }
  }
  c.res.end(tail);
}

function pmOne(c: Ctx): void {
  const def = c.dev.pm.find(c.params[0]);
  if (!def) return fail(c, 404, 'PM not found');
  const index = c.query.get('index');
  const interval = c.query.get('interval');
  if (index === null && interval === null) return json(c, 200, c.dev.pm.discovery(def));
  // The document lists "404 Bad Request" for invalid parameters; its own
  // example answers 400, as HTTP defines: we answer 400.
  if (index === null || !/^[0-9]{1,9}$/.test(index) || !def.indexes.includes(Number(index))) return fail(c, 400, 'Invalid index');
  if (interval !== null && !/^[0-2]$/.test(interval)) return fail(c, 400, 'Invalid interval');
  json(c, 200, c.dev.pm.value(def, Number(index), interval === null ? 0 : Number(interval)));
}

function getLicense(c: Ctx): void {
  const l = c.dev.license;
  json(c, 200, { licenseVersion: l.licenseVersion, serialNumber: l.serialNumber, key: l.key, keyDescription: KEY_DESCRIPTION });
}

/**
 * PUT /license. application/json: {licenseVersion: 1, serialNumber?, key}
 * (refused in HA mode, as documented). Any other content type is a license
 * file: one key per line as `<serialNumber> <key>` (blank lines and lines
 * starting with `#` or `;` ignored); the line for this device's serial number
 * is applied, and a file without one is refused (400).
 */
async function putLicense(c: Ctx): Promise<void> {
  const dev = c.dev;
  if (dev.faults.haSync) return fail(c, 409, HA_SYNC);
  const ct = String(c.req.headers['content-type'] ?? '');
  let key: string;
  if (/^application\/json\b/i.test(ct)) {
    if (dev.haMode) return fail(c, 409, "License key can't be applied to device in HA configuration. Use license file instead.");
    const body = await readJson(c);
    if (body.licenseVersion !== 1) return fail(c, 400, 'Unsupported license version: only version 1 is supported');
    if (typeof body.key !== 'string' || !LICENSE_KEY.test(body.key)) return fail(c, 400, 'License key is incorrect');
    if (body.serialNumber !== undefined) {
      if (typeof body.serialNumber !== 'string') return fail(c, 400, 'License serial number is incorrect');
      if (body.serialNumber !== dev.serialNumber) return fail(c, 400, 'License serial number does not match the device serial number');
    }
    key = body.key;
  } else {
    const up = await consumeUpload(c.req, LICENSE_MAX, c.onBytes);
    if (up.multipartError) return fail(c, 400, `License file is incorrect: ${up.multipartError}`);
    if (up.bytes === 0) return fail(c, 400, 'License file is incorrect');
    if (up.tooLarge) return fail(c, 400, 'License file is incorrect: too large');
    let text: string;
    try {
      text = decodeText(up.data as Buffer);
    } catch (e) {
      return incorrect(c, 'License file', e);
    }
    let found: string | undefined;
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const t = lines[i].trim();
      if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
      const parts = t.split(/\s+/);
      if (parts.length !== 2 || !/^[A-Za-z0-9-]{1,64}$/.test(parts[0]) || !LICENSE_KEY.test(parts[1])) {
        return fail(c, 400, `License file is incorrect: line ${i + 1}: expected "<serialNumber> <key>"`);
      }
      if (parts[0] === dev.serialNumber && found === undefined) found = parts[1];
    }
    if (found === undefined) return fail(c, 400, `License file has no key for this device (serial number ${dev.serialNumber})`);
    key = found;
    dev.recordUpload({ fileType: 'license', bytes: up.bytes, sha256: up.sha256, contentType: up.contentType });
  }
  if (!stillUp(c)) return;
  dev.license = { licenseVersion: 1, serialNumber: dev.serialNumber, key };
  dev.saveConfiguration();
  // (The document's example for a license file answers "... new software
  // load", a copy-paste slip; we say "license" for both forms.)
  json(c, 200, { description: 'Device will reset now to activate new license' });
  dev.reboot(undefined, c.res);
}

// ------------------------------------------------------------------ 7.4 test calls, KPI

async function dial(c: Ctx): Promise<void> {
  const body = await readJson(c);
  const sessionId = c.dev.calls.dial(body, Date.now(), deviceIp(c), c.dev.activeSources());
  json(c, 200, { sessionId });
}

function kpi(c: Ctx): void {
  c.dev.kpi.handle(c, { now: Date.now(), bootedAt: c.dev.bootedAt, moving: c.dev.scenario });
}

// ------------------------------------------------------------------ routing

interface Found {
  route: Route;
  params: string[];
}

type Resolver = (pathname: string) => Found | undefined;

const ACTIVE_ONE: Route = { handlers: { GET: (c) => alarmDetails(c, 'active') } };
const HISTORY_ONE: Route = { handlers: { GET: (c) => alarmDetails(c, 'history') } };
// The document's PM examples put PMs under /api/v1/alarms/performanceMonitoring
// (a typo): the navigation tree has them at /api/v1/performanceMonitoring.
const PM_ONE: Route = { handlers: { GET: pmOne } };
const KPI: Route = { handlers: { GET: kpi }, added: true };
const TLS_CONTEXT: Route = { handlers: { GET: admin.tlsContext } };
const TLS_FILES: Record<admin.TlsKind, Route> = {
  certificate: { handlers: { GET: (c) => admin.tlsGet(c, 'certificate'), PUT: (c) => admin.tlsPut(c, 'certificate') }, produces: { GET: 'application/octet-stream' } },
  trustedRoot: { handlers: { GET: (c) => admin.tlsGet(c, 'trustedRoot'), PUT: (c) => admin.tlsPut(c, 'trustedRoot') }, produces: { GET: 'application/octet-stream' } },
  // a private key goes in, never out
  privateKey: { handlers: { PUT: (c) => admin.tlsPut(c, 'privateKey') } },
};

/** The routes of one firmware, from its profile. */
function buildResolver(p: FirmwareProfile): Resolver {
  const has = (f: Feature): boolean => p.features.has(f);
  const fixed: Record<string, Route> = {
    '/api': { handlers: { GET: (c) => json(c, 200, { versions: [{ id: 'v1', status: 'stable', url: '/api/v1' }] }) } },
    '/api/v1': { handlers: { GET: (c) => json(c, 200, { items: offered(p, NAV_ITEMS) }) } },
    '/api/v1/actions': { handlers: { GET: (c) => json(c, 200, { actions: offered(p, ACTION_ITEMS) }) } },
    '/api/v1/actions/reset': { handlers: { POST: reset } },
    '/api/v1/actions/saveConfiguration': { handlers: { POST: saveConfiguration } },
    '/api/v1/files': {
      handlers: {
        GET: (c) =>
          json(c, 200, {
            files: [
              ...p.files.map((id) => ({ id, description: FILES[id].description, url: `/api/v1/files/${id}` })),
              ...(has('tlsFiles') ? [{ id: 'tls', description: 'TLS certificates and keys', url: '/api/v1/files/tls' }] : []),
            ],
          }),
      },
    },
    '/api/v1/alarms': {
      handlers: {
        GET: (c) =>
          json(c, 200, {
            alarms: [
              { id: 'active', description: 'Active alarms', url: '/api/v1/alarms/active' },
              { id: 'history', description: 'History alarms', url: '/api/v1/alarms/history' },
            ],
          }),
      },
    },
    '/api/v1/alarms/active': { handlers: { GET: (c) => alarmList(c, 'active') } },
    '/api/v1/alarms/history': { handlers: { GET: (c) => alarmList(c, 'history') } },
    '/api/v1/status': { handlers: { GET: status } },
    '/api/v1/license': { handlers: { GET: getLicense, PUT: putLicense } },
  };
  if (has('performanceMonitoring')) fixed['/api/v1/performanceMonitoring'] = { handlers: { GET: (c) => json(c, 200, { items: PM_NAMES }) } };
  if (has('authToken')) fixed['/api/v1/actions/authToken'] = { handlers: { POST: admin.authToken } };
  if (has('kpi')) fixed['/api/v1/kpi'] = KPI;
  if (has('sipTestCall')) {
    const now = (): number => Date.now();
    fixed['/api/v1/sipTestCall'] = { handlers: { GET: (c) => json(c, 200, { items: TEST_CALL_ITEMS }) }, added: true };
    fixed['/api/v1/sipTestCall/dial'] = { handlers: { POST: dial }, added: true };
    fixed['/api/v1/sipTestCall/getStatus'] = { handlers: { GET: (c) => json(c, 200, c.dev.calls.status(c.query.get('sessionId'), now())) }, added: true };
    fixed['/api/v1/sipTestCall/show'] = { handlers: { GET: (c) => json(c, 200, c.dev.calls.show(c.query.get('sessionId'), now())) }, added: true };
    fixed['/api/v1/sipTestCall/drop'] = {
      handlers: {
        DELETE: (c) => {
          c.dev.calls.drop(c.query.get('sessionId'), now());
          empty(c, 200); // documented: 200, no body
        },
      },
      added: true,
    };
  }
  if (has('tlsFiles')) fixed['/api/v1/files/tls'] = { handlers: { GET: admin.tlsList } };
  if (has('debugFile')) fixed['/api/v1/files/create/debugFile'] = { handlers: { POST: admin.createDebugFile } };
  for (const type of p.files) {
    const f = FILES[type];
    const handlers: Route['handlers'] = { PUT: (c: Ctx) => putFile(c, type) };
    if (f.download) handlers.GET = (c: Ctx) => getFile(c, type);
    // 7.4: the debug file made by POST /files/create/debugFile is downloaded here (PUT still uploads one)
    if (type === 'debugFile' && has('debugFile')) handlers.GET = admin.getDebugFile;
    fixed[`/api/v1/files/${type}`] = { handlers, produces: { GET: 'application/octet-stream' } };
  }
  return (pathname) => {
    const s = fixed[pathname];
    if (s) return { route: s, params: [] };
    let m = /^\/api\/v1\/alarms\/(active|history)\/([^/]+)$/.exec(pathname);
    if (m) return { route: m[1] === 'active' ? ACTIVE_ONE : HISTORY_ONE, params: [m[2]] };
    if (has('performanceMonitoring')) {
      m = /^\/api\/v1\/performanceMonitoring\/([^/]+)$/.exec(pathname);
      if (m) return { route: PM_ONE, params: [m[1]] };
    }
    if (has('kpi') && pathname.startsWith('/api/v1/kpi/')) return { route: KPI, params: [pathname.slice('/api/v1/kpi/'.length)] };
    if (has('tlsFiles')) {
      m = /^\/api\/v1\/files\/tls\/([^/]+)(?:\/([^/]+))?$/.exec(pathname);
      if (m && m[2] === undefined) return { route: TLS_CONTEXT, params: [m[1]] };
      if (m && Object.hasOwn(TLS_FILES, m[2])) return { route: TLS_FILES[m[2] as admin.TlsKind], params: [m[1]] };
    }
    return undefined;
  };
}

const resolvers = new Map<FirmwareProfile, Resolver>();

function resolverFor(p: FirmwareProfile): Resolver {
  let r = resolvers.get(p);
  if (!r) resolvers.set(p, (r = buildResolver(p)));
  return r;
}

// ------------------------------------------------------------------ auth, accept

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** The user named by valid Basic credentials, or undefined. */
function authenticate(header: string | undefined, users: SimUser[]): SimUser | undefined {
  if (!header) return undefined;
  const m = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  const name = decoded.slice(0, i);
  const pass = digest(decoded.slice(i + 1));
  return users.find((u) => u.username === name && timingSafeEqual(digest(u.password), pass));
}

/** Whether an Accept header admits `type` (absent or empty: yes; q=0 excludes). */
export function accepts(header: string | undefined, type: string): boolean {
  if (header === undefined || header.trim() === '') return true;
  const major = type.split('/')[0];
  for (const part of header.split(',')) {
    const [range, ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && !(parseFloat(q.slice(2)) > 0)) continue;
    if (range === '*/*' || range === type || range === `${major}/*`) return true;
  }
  return false;
}

// ------------------------------------------------------------------ entry points

const HTML_ERROR =
  '<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n' +
  '<body><h1>Internal Server Error</h1><p>The server encountered an internal error.</p></body></html>\n';

/** A request of the control API (/__sim/), which no fault or reboot of the device affects. */
export function isControlPath(url: string): boolean {
  return url === '/__sim' || url.startsWith('/__sim/') || url.startsWith('/__sim?');
}

export function createRequestHandler(dev: Device, listenHost: string, certificate: string | undefined): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    if (isControlPath(url)) {
      handleControl(dev, req, res, certificate).catch(() => res.destroy());
      return;
    }
    handleApi(dev, req, res, listenHost).catch(() => {
      if (res.headersSent) res.destroy();
      else fail({ req, res, dev, errorKey: 'description' } as Ctx, 500, 'Internal error');
    });
  };
}

async function handleApi(dev: Device, req: IncomingMessage, res: ServerResponse, listenHost: string): Promise<void> {
  const url = req.url ?? '/';
  const entry = {
    time: new Date().toISOString(),
    method: req.method ?? '',
    path: url,
    bytes: 0,
    // whether credentials came, never their value
    authenticated: req.headers.authorization !== undefined,
  };
  res.once('close', () => dev.addLog({ ...entry, status: res.headersSent ? res.statusCode : 0 }));
  // down, booting or told to drop: the connection goes before any answer
  if (!dev.up || dev.faults.dropConnection) {
    req.socket.destroy();
    return;
  }
  if (dev.faults.slowMs > 0) {
    await new Promise((r) => setTimeout(r, dev.faults.slowMs));
    if (res.destroyed || req.socket.destroyed) return;
    if (!dev.up || dev.faults.dropConnection) {
      req.socket.destroy();
      return;
    }
  }
  const q = url.indexOf('?');
  let pathname = q >= 0 ? url.slice(0, q) : url;
  if (pathname.length > 1 && pathname.endsWith('/')) pathname = pathname.slice(0, -1);
  const c: Ctx = {
    req,
    res,
    dev,
    params: [],
    query: new URLSearchParams(q >= 0 ? url.slice(q + 1) : ''),
    onBytes: (n) => (entry.bytes += n),
    listenHost,
    errorKey: 'description',
  };
  if (dev.faults.htmlError) return send(c, 500, HTML_ERROR, 'text/html');
  const user = authenticate(req.headers.authorization, dev.users);
  if (!user) return fail(c, 401, 'Unauthorized: valid credentials are required', { 'WWW-Authenticate': 'Basic realm="Mediant REST API"' });
  const p = dev.profile;
  const found = resolverFor(p)(pathname);
  if (!found) return fail(c, 404, 'Not found');
  if (found.route.added) c.errorKey = p.newErrorKey;
  const method = req.method ?? 'GET';
  const handler = found.route.handlers[method];
  if (!handler) return fail(c, 405, 'Method not allowed', { Allow: Object.keys(found.route.handlers).join(', ') });
  if (!allows(user.privilege, levelFor(p, pathname, method))) return fail(c, 403, p.privileges.denied);
  const produces = found.route.produces?.[method] ?? 'application/json';
  // a file download takes every type the firmware accepts for one (7.x: text/plain too); its body stays octet-stream
  const acceptable = produces === 'application/octet-stream' ? p.downloadAccepts : [produces];
  if (!acceptable.some((t) => accepts(req.headers.accept, t))) return fail(c, 406, `Not acceptable: this resource is served as ${produces}`);
  c.params = found.params;
  try {
    await handler(c);
  } catch (e) {
    if (e instanceof HttpError && !res.headersSent) return fail(c, e.status, e.description);
    throw e;
  }
}

// ------------------------------------------------------------------ control API (/__sim/)

async function handleControl(dev: Device, req: IncomingMessage, res: ServerResponse, certificate: string | undefined): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = (q >= 0 ? url.slice(0, q) : url).replace(/\/+$/, '');
  const method = req.method ?? 'GET';
  const out = (status: number, body?: unknown): void => {
    if (body === undefined) {
      res.writeHead(status, { 'Content-Length': '0' });
      res.end();
      return;
    }
    const buf = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(buf.length) });
    res.end(buf);
  };
  const body = async (): Promise<Record<string, unknown>> => {
    const buf = await readSmallBody(req, 1024 * 1024, () => undefined);
    const t = buf.toString('utf8').trim();
    if (t === '') return {};
    const v: unknown = JSON.parse(t);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError('body must be a JSON object');
    return v as Record<string, unknown>;
  };
  const routes: Record<string, Record<string, () => Promise<void> | void>> = {
    '/__sim/alarms': {
      POST: async () => {
        const a = dev.raiseAlarm((await body()) as never);
        out(201, { id: a.id });
      },
      GET: () => out(200, dev.active.all()),
    },
    '/__sim/alarms/clear-all': { POST: () => out(200, { cleared: dev.clearAllAlarms() }) },
    '/__sim/reboot': {
      POST: async () => {
        const b = await body();
        if (b.bootTimeMs !== undefined && (typeof b.bootTimeMs !== 'number' || !(b.bootTimeMs >= 0))) throw new TypeError('bootTimeMs must be a number >= 0');
        out(202, { description: 'Device will reboot now' });
        dev.reboot(b.bootTimeMs as number | undefined, res);
      },
    },
    '/__sim/faults': {
      GET: () => out(200, dev.faults),
      PUT: async () => {
        const b = await body();
        const f = dev.setFaults(b, res);
        out(200, f);
      },
    },
    '/__sim/ha': {
      GET: () => out(200, { enabled: dev.haMode }),
      PUT: async () => {
        const b = await body();
        dev.setHaMode(b.enabled as boolean);
        out(200, { enabled: dev.haMode });
      },
    },
    '/__sim/log': {
      GET: () => out(200, dev.log()),
      DELETE: () => {
        dev.clearLog();
        out(200, {});
      },
    },
    '/__sim/state': { GET: () => out(200, dev.state()) },
    '/__sim/pm': {
      POST: async () => {
        const b = await body();
        if (typeof b.pm !== 'string' || !dev.pm.find(b.pm)) return out(404, { description: 'PM not found' });
        dev.setPmValue(b.pm, b.index as number, b.value as number);
        out(200, { pm: b.pm, index: b.index, value: b.value });
      },
    },
    '/__sim/kpi': {
      POST: async () => {
        const b = await body();
        if (typeof b.path !== 'string') throw new TypeError('path must be a string, e.g. "sbc/callStats/global/activeCallsIn"');
        dev.setKpiValue(b.path, b.value as number | null);
        out(200, { path: b.path, value: b.value });
      },
      DELETE: () => {
        dev.clearKpiValues();
        out(200, {});
      },
    },
    '/__sim/test-call/destinations': {
      PUT: async () => {
        const { destination, ...behaviour } = await body();
        dev.setTestCallDestination(destination as string, behaviour.outcome === null ? null : (behaviour as never));
        out(200, { destination, ...behaviour });
      },
      DELETE: () => {
        dev.resetTestCallDestinations();
        out(200, {});
      },
    },
    '/__sim/test-calls': { GET: () => out(200, dev.testCalls()) },
    '/__sim/certificate': {
      GET: () => {
        if (!certificate) return out(404, { description: 'The simulator is not using HTTPS' });
        res.writeHead(200, { 'Content-Type': 'application/x-pem-file', 'Content-Length': String(Buffer.byteLength(certificate)) });
        res.end(certificate);
      },
    },
  };
  try {
    const m = /^\/__sim\/alarms\/([^/]+)$/.exec(path);
    if (m && m[1] !== 'clear-all') {
      if (method !== 'DELETE') return out(405, { description: 'Method not allowed' });
      return dev.clearAlarm(decodeURIComponent(m[1])) ? out(200, { id: m[1] }) : out(404, { description: 'Alarm not found' });
    }
    const r = routes[path];
    if (!r) return out(404, { description: 'Not found' });
    const h = r[method];
    if (!h) {
      res.setHeader('Allow', Object.keys(r).join(', '));
      return out(405, { description: 'Method not allowed' });
    }
    await h();
  } catch (e) {
    if (res.headersSent) return;
    out(400, { description: e instanceof Error ? e.message : String(e) });
  }
}
