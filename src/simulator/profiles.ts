/**
 * Firmware profiles: what differs between the firmware versions the
 * simulator plays, as data. Handlers read their profile (a field, a set, a
 * table) and never compare version numbers.
 *
 * Sources: 7.0 is the vendor's 2015 document (LTRT-41760, API v1.0); 7.2 and
 * 7.4 follow ../shared/mediant-7x-notes.md (the vendor's 7.4 REST pages, bodies
 * recorded from real devices, public clients). Where the sources do not say,
 * a profile takes the choice that fails safe for a client: the simulator is
 * stricter or odder than a device may be, never kinder, so that a client
 * proven against it does not meet a surprise on a device. Each such choice
 * is marked "unknown:" below and listed in src/simulator/README.md.
 */
import type { Firmware, Privilege } from './types';

export type { Firmware };

export const FIRMWARES: readonly Firmware[] = ['7.0', '7.2', '7.4'];

/**
 * The default: a device bought today runs 7.4 or later (7.6 is the current
 * release; no 7.6 REST pages exist, and 7.4's are the newest the simulator
 * follows). A user trying `mediant-sim` against their flows should meet the
 * API their device speaks, with its /kpi, test calls and privilege levels.
 */
export const DEFAULT_FIRMWARE: Firmware = '7.4';

/** Resources that exist on some firmware only. */
export type Feature = 'performanceMonitoring' | 'kpi' | 'sipTestCall' | 'authToken' | 'tlsFiles' | 'debugFile';

/** Fields of GET /status beyond the 2015 ones, in the order a device sends them. */
export type StatusField = 'serialNumber' | 'macAddress' | 'systemUpTime' | 'saveNeeded' | 'resetNeeded' | 'upgradeStatus' | 'osType' | 'acceleratedNetworking';

export interface PrivilegeRule {
  /** A path under /api; the rule covers it and everything below it (unless `exact`). */
  path: string;
  exact?: boolean;
  /** Methods the rule is for; all when absent. */
  methods?: readonly string[];
  level: Privilege;
}

export interface FirmwareProfile {
  firmware: Firmware;
  versionID: string;
  productType: string;
  features: ReadonlySet<Feature>;
  /** File types (keys of FILES in http.ts) served under /files on this firmware. */
  files: readonly string[];
  status: {
    /** highAvailability without HA / in HA mode. */
    highAvailability: { standalone: string; ha: string };
    fields: readonly StatusField[];
    /** JSON type of saveNeeded / resetNeeded. */
    flags: 'boolean' | 'string';
  };
  /** Timestamps (status localTimeStamp, alarm dates): UTC with milliseconds ("…T17:29:15.000Z") or local time with its offset ("…T21:36:39+01:00"). */
  time: 'utc' | 'offset';
  privileges: {
    /** First matching rule wins; no rule matching → `fallback`. */
    rules: readonly PrivilegeRule[];
    fallback: Privilege;
    /** The 403 answer's text. */
    denied: string;
  };
  /** Error key of the resources that 7.4 added (/kpi, /sipTestCall). Older resources keep "description". */
  newErrorKey: 'description' | 'errorDescription';
  /** Media types a file download (GET /files/ini, /files/cliScript) accepts in `Accept`; the body is application/octet-stream whatever was asked. */
  downloadAccepts: readonly string[];
  alarms: {
    /**
     * The first page of an empty list: 204 (2015) or 200 with a cursor and no
     * `alarms` member. A page after/before a cursor with nothing in it is 204 on every firmware.
     */
    emptyList: 'noContent' | 'cursorOnly';
    /** Cursors also carry `start` and `end` (the first and last id of the whole list). */
    cursorExtent: boolean;
    /** Alarm ids: 1, 2, 3 … after every boot (2015), or increasing with gaps. */
    ids: 'sequential' | 'sparse';
  };
  cli: {
    /** The 200 answer to an incremental CLI script carries `status`; a refused script is then 200 with status "failure" instead of 400. */
    status: boolean;
    /** The 200 answer's description. */
    loaded: string;
  };
}

/** The 2015 file types (every firmware). */
const FILES_2015 = ['ini', 'ini/incremental', 'software', 'software/hitless', 'cliScript', 'cliScript/incremental', 'amd', 'castable', 'codertable', 'cpt', 'dialplan', 'prt', 'voiceprompts'];

/** 7.4's privilege table ([V] "User Privilege Levels and REST API Access"): per directory, and the per-resource rows that could be read. */
const RULES_74: readonly PrivilegeRule[] = [
  { path: '/api', exact: true, level: 'monitor' },
  { path: '/api/v1', exact: true, level: 'monitor' },
  { path: '/api/v1/actions/authToken', level: 'securityAdmin' },
  { path: '/api/v1/actions', level: 'admin' },
  { path: '/api/v1/alarms', level: 'monitor' },
  // the rows for files/*, kpi, sipTestCall and status were cut off in the source: their directory's minimum applies
  { path: '/api/v1/files', level: 'admin' },
  { path: '/api/v1/kpi', level: 'monitor' },
  // "only REST users with Security Administrator level can replace (PUT) the device's License Key"
  { path: '/api/v1/license', methods: ['PUT'], level: 'securityAdmin' },
  { path: '/api/v1/license', level: 'admin' },
  { path: '/api/v1/sipTestCall', level: 'monitor' },
  { path: '/api/v1/status', level: 'monitor' },
];

const SECURITY_ADMIN_ONLY = {
  rules: [],
  fallback: 'securityAdmin' as const,
  denied: 'Forbidden: the REST API needs a user with the Security Administrator privilege',
};

export const PROFILES: Readonly<Record<Firmware, FirmwareProfile>> = {
  '7.0': {
    firmware: '7.0',
    versionID: '7.00A.018.005',
    productType: 'Mediant SW',
    features: new Set<Feature>(['performanceMonitoring']),
    files: FILES_2015,
    status: { highAvailability: { standalone: 'Stand Alone', ha: 'Active' }, fields: [], flags: 'boolean' },
    time: 'utc',
    privileges: SECURITY_ADMIN_ONLY,
    newErrorKey: 'description',
    downloadAccepts: ['application/octet-stream'],
    alarms: { emptyList: 'noContent', cursorExtent: false, ids: 'sequential' },
    cli: { status: false, loaded: 'Incremental CLI script file was loaded' },
  },
  '7.2': {
    firmware: '7.2',
    // the vendor's /status example comes from 7.20A.200.014
    versionID: '7.20A.258.459',
    productType: 'Mediant SW',
    // unknown: whether 7.2 serves /kpi; it is not offered (a client must not count on it before 7.4)
    features: new Set<Feature>(['performanceMonitoring']),
    files: FILES_2015,
    status: {
      highAvailability: { standalone: 'Not Operational', ha: 'Operational' },
      // the vendor's 7.2 example stops after systemUpTime; the 7.4 table adds the rest
      fields: ['serialNumber', 'macAddress', 'systemUpTime', 'saveNeeded', 'resetNeeded', 'upgradeStatus'],
      // the vendor table quotes the flags ("false"/"true"): a client must read both JSON types
      flags: 'string',
    },
    // the vendor's 7.2 example: "2010-01-17T17:29:15.000Z"
    time: 'utc',
    // unknown: the 7.2 guide has a privilege chapter that was not read; the 2015 rule (the strictest) stays
    privileges: SECURITY_ADMIN_ONLY,
    newErrorKey: 'description',
    // audiocodes-cli downloads the INI with Accept: text/plain; a device takes it
    downloadAccepts: ['application/octet-stream', 'text/plain'],
    alarms: { emptyList: 'cursorOnly', cursorExtent: true, ids: 'sparse' },
    // the vendor's 7.20A example: {"description": "Incremental CLI Script file was loaded.", "output": …}, no status
    cli: { status: false, loaded: 'Incremental CLI Script file was loaded.' },
  },
  '7.4': {
    firmware: '7.4',
    // sipTestCall needs 7.40A.600 or later (audiocodes-cli, tested on 7.40A.600.203)
    versionID: '7.40A.600.203',
    // [C]: the recorded 7.4 /status is a Mediant VE's, with osType and acceleratedNetworking
    productType: 'Mediant VE SBC',
    // /performanceMonitoring is absent from 7.4's directory and privilege tables; whether a 7.4
    // device still serves it is unknown. It answers 404 here: a flow that depends on it fails
    // against the simulator as it may on a device, never the other way round.
    features: new Set<Feature>(['kpi', 'sipTestCall', 'authToken', 'tlsFiles', 'debugFile']),
    files: [...FILES_2015, 'configurationPackage.tar.gz', 'debugFile', 'debugFileRedundant', 'sbcWizard'],
    status: {
      highAvailability: { standalone: 'Not Operational', ha: 'Operational' },
      fields: ['serialNumber', 'macAddress', 'systemUpTime', 'saveNeeded', 'resetNeeded', 'upgradeStatus', 'osType', 'acceleratedNetworking'],
      flags: 'boolean',
    },
    // [C] "2022-07-06T21:36:39+01:00"
    time: 'offset',
    privileges: {
      rules: RULES_74,
      // anything the table does not list needs the highest level
      fallback: 'securityAdmin',
      // unknown: the device's wording. It does not name the level needed, so a client must know
      // the level from its own table rather than repeat the device's words.
      denied: 'Forbidden: access denied for this user level',
    },
    newErrorKey: 'errorDescription',
    downloadAccepts: ['application/octet-stream', 'text/plain'],
    alarms: { emptyList: 'cursorOnly', cursorExtent: true, ids: 'sparse' },
    // two public clients read a status from the 200 answer; the failure string is unknown
    cli: { status: true, loaded: 'Incremental CLI Script file was loaded.' },
  },
};

const LEVEL: Record<Privilege, number> = { monitor: 1, admin: 2, securityAdmin: 3 };

/** The level a request needs, by the profile's table. */
export function levelFor(p: FirmwareProfile, path: string, method: string): Privilege {
  for (const r of p.privileges.rules) {
    const hit = r.exact ? path === r.path : path === r.path || path.startsWith(r.path + '/');
    if (hit && (!r.methods || r.methods.includes(method))) return r.level;
  }
  return p.privileges.fallback;
}

export function allows(user: Privilege, needed: Privilege): boolean {
  return LEVEL[user] >= LEVEL[needed];
}

export function profileFor(firmware: unknown): FirmwareProfile {
  if (firmware === undefined) return PROFILES[DEFAULT_FIRMWARE];
  if (typeof firmware !== 'string' || !(FIRMWARES as readonly string[]).includes(firmware)) {
    throw new TypeError(`firmware must be one of ${FIRMWARES.join(', ')}`);
  }
  return PROFILES[firmware as Firmware];
}

/** A timestamp as the profile writes it. `offsetMinutes` is the device's UTC offset (used by 'offset'). */
export function formatTime(p: FirmwareProfile, ms: number, offsetMinutes: number): string {
  if (p.time === 'utc') return new Date(ms).toISOString();
  const local = new Date(ms + offsetMinutes * 60000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
