/**
 * The 7.4 KPI API: GET /api/v1/kpi/{current|history}/<app>/<group>/<entity>[/<id>][/<kpi>].
 *
 * The tree (system CPU and memory; SBC call statistics global, per IP group
 * and per SRD, other SBC statistics; media and DSP statistics; a gateway
 * application with no trunk on this SBC-only product) is data. Values are a
 * function of the clock and of the time since boot, so no timer runs: in
 * scenario mode they move (gauges swing, counters grow since the last boot);
 * otherwise they stay where they were one hour after boot. `pin` sets one
 * current value (tests). History intervals are numbered upwards, the last
 * HISTORY_KEPT completed ones are kept (some always exist: the device
 * pretends to have been collecting for a while).
 *
 * Shapes follow the vendor's 7.4 pages ([V] in ../shared/mediant-7x-notes.md):
 * listings `{"items":[{id,name,description,url}], "cursor":{start,before,after,end}}`,
 * entity values with `value` (a number, or null when there is nothing to
 * measure), one KPI `{"id","value"}`, history values as strings. Where the
 * pages are silent or disagree, the choice that fails safe for a client is
 * taken and marked "unknown:".
 */
import { empty, fail, json, type Ctx } from './respond';
import { IP_GROUPS, SRDS } from './topology';

type Kind = 'gauge' | 'counter' | 'constant';

interface KpiDef {
  id: string;
  name: string;
  description: string;
  kind: Kind;
  /** gauge/constant: the level (for a share of 1 unless `unscaled`); counter: events per hour for a share of 1. */
  base: number;
  amp?: number;
  periodS?: number;
  /** The level does not depend on the element's share (percentages, MOS, delays). */
  unscaled?: boolean;
  /** null on an idle element: no calls, so no ratio or average. */
  idleNull?: boolean;
}

interface Element {
  id: string;
  name: string;
  description: string;
  share: number;
}

interface EntityDef {
  id: string;
  name: string;
  description: string;
  kpis: readonly KpiDef[];
  /** An indexed entity (ipGroup, srd, cpu, trunk): its elements. Absent = singular ("global"). */
  elements?: readonly Element[];
}

interface GroupDef {
  id: string;
  name: string;
  description: string;
  entities: readonly EntityDef[];
}

interface AppDef {
  id: string;
  name: string;
  description: string;
  groups: readonly GroupDef[];
}

const g = (id: string, name: string, description: string, base: number, amp: number, periodS: number, more: Partial<KpiDef> = {}): KpiDef => ({
  id,
  name,
  description,
  kind: 'gauge',
  base,
  amp,
  periodS,
  ...more,
});
const n = (id: string, name: string, description: string, perHour: number): KpiDef => ({ id, name, description, kind: 'counter', base: perHour });

const CALL_STATS: readonly KpiDef[] = [
  g('activeCallsIn', 'Active Calls In', 'Number of active inbound calls', 60, 35, 600),
  g('activeCallsOut', 'Active Calls Out', 'Number of active outbound calls', 48, 30, 540),
  n('callAttemptsInTotal', 'Call Attempts In Total', 'Total number of inbound call attempts', 1200),
  n('callAttemptsOutTotal', 'Call Attempts Out Total', 'Total number of outbound call attempts', 1000),
  n('establishedCallsInTotal', 'Established Calls In Total', 'Total number of established inbound calls', 1104),
  n('establishedCallsOutTotal', 'Established Calls Out Total', 'Total number of established outbound calls', 910),
  n('busyCallsInTotal', 'Busy Calls In Total', 'Total number of inbound calls that failed as the destination was busy', 36),
  n('busyCallsOutTotal', 'Busy Calls Out Total', 'Total number of outbound calls that failed as the destination was busy', 40),
  n('noAnswerCallsInTotal', 'No Answer Calls In Total', 'Total number of inbound calls that were not answered', 48),
  n('noAnswerCallsOutTotal', 'No Answer Calls Out Total', 'Total number of outbound calls that were not answered', 42),
  n('abnormalTerminatedCallsInTotal', 'Abnormal Terminated Calls In Total', 'Total number of abnormally terminated inbound calls (after connect)', 6),
  n('abnormalTerminatedCallsOutTotal', 'Abnormal Terminated Calls Out Total', 'Total number of abnormally terminated outbound calls (after connect)', 5),
  g('answerSeizureRatio', 'Answer Seizure Ratio', 'Answered calls as a percentage of call attempts', 91, 3, 900, { unscaled: true, idleNull: true }),
  g('networkEffectivenessRatio', 'Network Effectiveness Ratio', 'Calls answered, busy or not answered as a percentage of call attempts', 98, 1, 1200, { unscaled: true, idleNull: true }),
  g('averageCallDuration', 'Average Call Duration', 'Average duration of the calls that ended (seconds)', 185, 40, 1500, { unscaled: true, idleNull: true }),
  g('postDialDelay', 'Post Dial Delay', 'Average time from the INVITE to the first ringback (milliseconds)', 1400, 300, 700, { unscaled: true, idleNull: true }),
];

const MEDIA_STATS: readonly KpiDef[] = [
  g('mediaMOSIn', 'Media MOS In', 'Average MOS of received media, in units of 0.1', 41, 2, 800, { unscaled: true, idleNull: true }),
  g('mediaMOSOut', 'Media MOS Out', 'Average MOS of sent media, in units of 0.1', 42, 2, 860, { unscaled: true, idleNull: true }),
  g('mediaJitterIn', 'Media Jitter In', 'Average jitter of received media (milliseconds)', 12, 6, 420, { unscaled: true, idleNull: true }),
  g('mediaPacketLossIn', 'Media Packet Loss In', 'Received packets lost, in units of 0.1 percent', 3, 3, 380, { unscaled: true, idleNull: true }),
  g('mediaDelay', 'Media Delay', 'Average round-trip delay (milliseconds)', 45, 15, 640, { unscaled: true, idleNull: true }),
  g('mediaActiveSessions', 'Media Active Sessions', 'Number of active media sessions', 105, 60, 600),
];

const APPS: readonly AppDef[] = [
  {
    id: 'system',
    name: 'System',
    description: 'System statistics',
    groups: [
      {
        id: 'cpuStats',
        name: 'CPU Statistics',
        description: 'CPU utilization',
        entities: [
          {
            id: 'cpu',
            name: 'CPU',
            description: 'CPU core',
            elements: [
              { id: '0', name: 'CPU 0', description: 'Control plane', share: 1 },
              { id: '1', name: 'CPU 1', description: 'Media plane', share: 1.4 },
            ],
            kpis: [
              g('cpuUtilization', 'CPU Utilization', 'CPU utilization (percent)', 32, 22, 240),
              g('cpuUtilizationPeak', 'CPU Utilization Peak', 'Highest CPU utilization in the interval (percent)', 45, 25, 300),
            ],
          },
        ],
      },
      {
        id: 'memoryStats',
        name: 'Memory Statistics',
        description: 'Memory utilization',
        entities: [
          {
            id: 'global',
            name: 'Global',
            description: 'Whole device',
            kpis: [
              g('memoryUtilization', 'Memory Utilization', 'Memory in use (percent)', 58, 9, 1800),
              { id: 'memoryTotal', name: 'Memory Total', description: 'Memory installed (MB)', kind: 'constant', base: 8192 },
              g('memoryUsed', 'Memory Used', 'Memory in use (MB)', 4750, 740, 1800),
            ],
          },
        ],
      },
    ],
  },
  {
    id: 'sbc',
    name: 'SBC',
    description: 'Session border controller statistics',
    groups: [
      {
        id: 'callStats',
        name: 'Call Statistics',
        description: 'SBC call statistics',
        entities: [
          { id: 'global', name: 'Global', description: 'All SBC calls', kpis: CALL_STATS },
          { id: 'ipGroup', name: 'IP Group', description: 'Calls per IP group', kpis: CALL_STATS, elements: IP_GROUPS },
          { id: 'srd', name: 'SRD', description: 'Calls per SRD', kpis: CALL_STATS, elements: SRDS },
        ],
      },
      {
        id: 'otherStats',
        name: 'Other Statistics',
        description: 'SBC registrations and subscriptions',
        entities: [
          {
            id: 'global',
            name: 'Global',
            description: 'Whole SBC',
            kpis: [
              g('registeredUsers', 'Registered Users', 'Number of registered users', 150, 30, 1200),
              g('activeSubscriptions', 'Active Subscriptions', 'Number of active SIP subscriptions', 40, 12, 900),
            ],
          },
        ],
      },
    ],
  },
  {
    id: 'media',
    name: 'Media',
    description: 'Media statistics',
    groups: [
      {
        id: 'mediaStats',
        name: 'Media Statistics',
        description: 'Media quality',
        entities: [
          { id: 'global', name: 'Global', description: 'All media sessions', kpis: MEDIA_STATS },
          { id: 'ipGroup', name: 'IP Group', description: 'Media per IP group', kpis: MEDIA_STATS, elements: IP_GROUPS },
        ],
      },
      {
        id: 'dspStats',
        name: 'DSP Statistics',
        description: 'DSP resources',
        entities: [
          {
            id: 'global',
            name: 'Global',
            description: 'All DSPs',
            kpis: [
              g('dspResourceCurrentPercent', 'DSP Resource Current Percent', 'DSP resources in use (percent)', 18, 12, 660),
              { id: 'dspResourceTotal', name: 'DSP Resource Total', description: 'DSP channels installed', kind: 'constant', base: 400 },
            ],
          },
        ],
      },
    ],
  },
  {
    // an SBC-only product: the gateway application exists but has no trunk (its index listing is 204)
    id: 'gateway',
    name: 'Gateway',
    description: 'Gateway (PSTN) statistics',
    groups: [
      {
        id: 'trunkStats',
        name: 'Trunk Statistics',
        description: 'Calls per trunk',
        entities: [{ id: 'trunk', name: 'Trunk', description: 'Calls per PSTN trunk', kpis: CALL_STATS, elements: [] }],
      },
    ],
  },
];

const GLOBAL: Element = { id: 'global', name: 'Global', description: '', share: 1 };

/** Items per listing page when the request gives no limit, and the most a limit gives. */
export const KPI_PAGE = 25;
export const KPI_PAGE_MAX = 100;
/** Completed history intervals kept. */
export const HISTORY_KEPT = 12;
/** When values are frozen (no scenario), they are those of this long after boot. */
const FROZEN_AFTER_BOOT_MS = 3600_000;

function wobble(step: number, salt: number): number {
  const x = Math.sin(step * 12.9898 + salt * 78.233) * 43758.5453;
  return (x - Math.floor(x)) * 2 - 1;
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h % 1000);
}

/** What a KPI read needs to know of the device. */
export interface KpiClock {
  now: number;
  bootedAt: number;
  /** Scenario mode: values move. */
  moving: boolean;
}

type Located =
  | { level: 'root' }
  | { level: 'apps'; scope: Scope }
  | { level: 'groups'; scope: Scope; app: AppDef }
  | { level: 'entities'; scope: Scope; app: AppDef; group: GroupDef }
  | { level: 'elements'; scope: Scope; app: AppDef; group: GroupDef; entity: EntityDef }
  | { level: 'values'; scope: Scope; app: AppDef; group: GroupDef; entity: EntityDef; element: Element }
  | { level: 'kpi'; scope: Scope; app: AppDef; group: GroupDef; entity: EntityDef; element: Element; kpi: KpiDef };

type Scope = 'current' | 'history';

/** Where a path goes: a node of the tree, or the status a device answers for it (400 discovery, 404 single KPI). */
function locate(segments: string[]): Located | { status: 400 | 404; text: string } {
  const bad = { status: 400 as const, text: 'Invalid path' };
  if (segments.length === 0) return { level: 'root' };
  const [scope, appId, groupId, entityId, fifth, sixth, ...rest] = segments;
  // unknown: /kpi/interval/<num>/… (the tree page's drawing) and /kpi/interval (one client) are not
  // in the vendor's URL tables; they are not served, so no client comes to depend on them
  if (scope !== 'current' && scope !== 'history') return bad;
  if (appId === undefined) return { level: 'apps', scope };
  const app = APPS.find((a) => a.id === appId);
  if (!app) return bad;
  if (groupId === undefined) return { level: 'groups', scope, app };
  const group = app.groups.find((x) => x.id === groupId);
  if (!group) return bad;
  if (entityId === undefined) return { level: 'entities', scope, app, group };
  const entity = group.entities.find((x) => x.id === entityId);
  if (!entity) return bad;
  const notFound = { status: 404 as const, text: 'Invalid path' };
  if (!entity.elements) {
    if (fifth === undefined) return { level: 'values', scope, app, group, entity, element: GLOBAL };
    const kpi = entity.kpis.find((k) => k.id === fifth);
    if (!kpi || sixth !== undefined) return notFound;
    return { level: 'kpi', scope, app, group, entity, element: GLOBAL, kpi };
  }
  if (fifth === undefined) return { level: 'elements', scope, app, group, entity };
  const element = entity.elements.find((e) => e.id === fifth);
  if (sixth === undefined) return element ? { level: 'values', scope, app, group, entity, element } : bad;
  const kpi = entity.kpis.find((k) => k.id === sixth);
  if (!element || !kpi || rest.length) return notFound;
  return { level: 'kpi', scope, app, group, entity, element, kpi };
}

function pathOf(l: { scope: Scope; app: AppDef; group: GroupDef; entity: EntityDef; element: Element }): string {
  return `${l.scope}/${l.app.id}/${l.group.id}/${l.entity.id}${l.element === GLOBAL ? '' : '/' + l.element.id}`;
}

interface Item {
  id: string;
  name?: string;
  description?: string;
  url: string;
  [k: string]: unknown;
}

class BadQuery extends Error {}

export class KpiModel {
  private readonly pins = new Map<string, number | null>();
  /** Time at which interval 0 began. */
  private readonly origin: number;

  constructor(
    readonly intervalMs: number,
    startedAt = Date.now(),
  ) {
    // the device pretends to have been collecting: at start, intervals 8 … 19 are complete and 20 is running
    this.origin = Math.floor(startedAt / intervalMs) * intervalMs - 20 * intervalMs;
  }

  /** Pin the current value of one KPI (`sbc/callStats/ipGroup/1/activeCallsIn`, without current/). null = the device reports null. */
  pin(path: string, value: number | null): void {
    const l = locate(['current', ...String(path).split('/').filter((s) => s !== '')]);
    if (!('level' in l) || l.level !== 'kpi') throw new TypeError(`no KPI at "${path}" (e.g. "sbc/callStats/global/activeCallsIn")`);
    if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) throw new TypeError('value must be a finite number or null');
    this.pins.set(`${pathOf(l).slice('current/'.length)}/${l.kpi.id}`, value);
  }

  clearPins(): void {
    this.pins.clear();
  }

  /** The newest completed interval's index. */
  lastInterval(now: number): number {
    return Math.floor((now - this.origin) / this.intervalMs) - 1;
  }

  private retained(now: number): number[] {
    const last = this.lastInterval(now);
    const out: number[] = [];
    for (let i = last; i > last - HISTORY_KEPT && i >= 0; i--) out.push(i);
    return out;
  }

  private current(kpi: KpiDef, element: Element, key: string, clock: KpiClock): number | null {
    if (this.pins.has(key)) return this.pins.get(key) as number | null;
    if (element.share === 0 && kpi.idleNull) return null;
    const t = clock.moving ? clock.now : clock.bootedAt + FROZEN_AFTER_BOOT_MS;
    const share = kpi.unscaled ? 1 : element.share;
    switch (kpi.kind) {
      case 'constant':
        return kpi.base;
      case 'counter':
        return Math.floor((kpi.base * share * Math.max(0, t - clock.bootedAt)) / 3600_000);
      case 'gauge': {
        if (share === 0) return 0;
        const phase = hash(kpi.id + element.id) / 100;
        const amp = kpi.amp ?? 0;
        const v = kpi.base + amp * Math.sin((2 * Math.PI * t) / ((kpi.periodS ?? 600) * 1000) + phase) + amp * 0.15 * wobble(Math.floor(t / 5000), phase);
        return Math.max(0, Math.round(v * share));
      }
    }
  }

  private historic(kpi: KpiDef, element: Element, interval: number): string | null {
    if (element.share === 0 && kpi.idleNull) return null;
    const share = kpi.unscaled ? 1 : element.share;
    const w = wobble(interval, hash(kpi.id + element.id));
    switch (kpi.kind) {
      case 'constant':
        return String(kpi.base);
      case 'counter':
        return String(Math.max(0, Math.floor(((kpi.base * share * this.intervalMs) / 3600_000) * (1 + 0.1 * w))));
      case 'gauge':
        return String(Math.max(0, Math.round((kpi.base + (kpi.amp ?? 0) * 0.7 * w) * share)));
    }
  }

  /** GET /api/v1/kpi/… : `c.params[0]` is the path below /api/v1/kpi. */
  handle(c: Ctx, clock: KpiClock): void {
    const segments = (c.params[0] ?? '').split('/').filter((s) => s !== '');
    const l = locate(segments.map((s) => safeDecode(s)));
    if (!('level' in l)) return fail(c, l.status, l.text);
    try {
      this.answer(c, l, clock);
    } catch (e) {
      if (e instanceof BadQuery) return fail(c, 400, e.message);
      throw e;
    }
  }

  private answer(c: Ctx, l: Located, clock: KpiClock): void {
    const q = c.query;
    const base = '/api/v1/kpi';
    switch (l.level) {
      case 'root':
        allow(q, ['limit', 'after', 'before', 'detailed']);
        return listing(c, [
          { id: 'current', name: 'Current', description: 'Values of the current interval', url: `${base}/current` },
          { id: 'history', name: 'History', description: 'Values of completed intervals', url: `${base}/history` },
        ]);
      case 'apps':
        allow(q, ['limit', 'after', 'before', 'detailed']);
        // unknown: the shape of `groups` in application discovery; one client joins it as a list of names
        return listing(
          c,
          APPS.map((a) => ({ id: a.id, name: a.name, description: a.description, url: `${base}/${l.scope}/${a.id}`, groups: a.groups.map((x) => x.id) })),
        );
      case 'groups':
        allow(q, ['limit', 'after', 'before', 'detailed']);
        return listing(
          c,
          l.app.groups.map((x) => ({ id: x.id, name: x.name, description: x.description, url: `${base}/${l.scope}/${l.app.id}/${x.id}` })),
        );
      case 'entities':
        allow(q, ['limit', 'after', 'before', 'detailed']);
        return listing(
          c,
          l.group.entities.map((x) => ({ id: x.id, name: x.name, description: x.description, url: `${base}/${l.scope}/${l.app.id}/${l.group.id}/${x.id}` })),
        );
      case 'elements': {
        allow(q, ['limit', 'after', 'before', 'detailed', 'id']);
        const items: Item[] = (l.entity.elements ?? []).map((e) => ({
          id: e.id,
          name: e.name,
          description: e.description,
          url: `${base}/${l.scope}/${l.app.id}/${l.group.id}/${l.entity.id}/${e.id}`,
        }));
        const id = q.get('id');
        if (id !== null) {
          if (q.has('limit') || q.has('after') || q.has('before')) throw new BadQuery('Invalid query parameters: id goes alone');
          if (!/^(0|[1-9][0-9]{0,8})$/.test(id)) throw new BadQuery('Invalid query parameter "id"');
          const one = items.filter((x) => x.id === id);
          if (!one.length) return empty(c, 204);
          return json(c, 200, { items: one.map((x) => detail(q, x)) });
        }
        return listing(c, items);
      }
      case 'values': {
        allow(q, ['limit', 'after', 'before', 'detailed', 'kpi', ...(l.scope === 'history' ? ['interval'] : [])]);
        const path = pathOf(l);
        let value: (k: KpiDef) => number | string | null;
        if (l.scope === 'history') {
          // unknown: whether an entity read takes "last"/"all" or no interval; only an index is documented
          const interval = q.get('interval');
          if (interval === null) throw new BadQuery('Missing query parameter "interval"');
          if (!/^(0|[1-9][0-9]{0,8})$/.test(interval)) throw new BadQuery('Invalid query parameter "interval"');
          const i = Number(interval);
          if (!this.retained(clock.now).includes(i)) return empty(c, 204);
          value = (k) => this.historic(k, l.element, i);
        } else {
          value = (k) => this.current(k, l.element, `${path.slice('current/'.length)}/${k.id}`, clock);
        }
        const items: Item[] = l.entity.kpis.map((k) => ({ id: k.id, name: k.name, description: k.description, url: `${base}/${path}/${k.id}`, value: value(k) }));
        const kpi = q.get('kpi');
        if (kpi !== null) {
          if (q.has('limit') || q.has('after') || q.has('before')) throw new BadQuery('Invalid query parameters: kpi goes alone');
          const one = items.filter((x) => x.id === kpi);
          if (!one.length) throw new BadQuery('Invalid query parameter "kpi"');
          return json(c, 200, { items: one.map((x) => detail(q, x)) });
        }
        return listing(c, items);
      }
      case 'kpi': {
        allow(q, ['detailed', ...(l.scope === 'history' ? ['interval'] : [])]);
        detailedFlag(q);
        const path = pathOf(l);
        const id = l.kpi.id;
        if (l.scope === 'current') return json(c, 200, { id, value: this.current(l.kpi, l.element, `${path.slice('current/'.length)}/${id}`, clock) });
        const interval = q.get('interval');
        if (interval === null) throw new BadQuery('Missing query parameter "interval"');
        const kept = this.retained(clock.now);
        if (interval === 'all') {
          if (!kept.length) return empty(c, 204);
          return json(c, 200, { items: kept.map((i) => ({ interval: String(i), value: this.historic(l.kpi, l.element, i) })) });
        }
        let i: number;
        if (interval === 'last') i = kept[0] ?? -1;
        else if (/^(0|[1-9][0-9]{0,8})$/.test(interval)) i = Number(interval);
        else throw new BadQuery('Invalid query parameter "interval"');
        // "204 … nothing to display": an interval that is not (or no longer) kept
        if (!kept.includes(i)) return empty(c, 204);
        return json(c, 200, { id, interval: String(i), value: this.historic(l.kpi, l.element, i) });
      }
    }
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '\u0000';
  }
}

/** Refuse any query parameter the resource does not take (400, as the pages say for a bad parameter). */
function allow(q: URLSearchParams, names: string[]): void {
  for (const k of new Set(q.keys())) {
    if (!names.includes(k)) throw new BadQuery(`Invalid query parameter "${k}"`);
    if (q.getAll(k).length > 1) throw new BadQuery(`Query parameter "${k}" given twice`);
  }
}

function detailedFlag(q: URLSearchParams): boolean {
  const d = q.get('detailed');
  if (d === null || d === 'true') return true;
  if (d === 'false') return false;
  throw new BadQuery('Invalid query parameter "detailed": true or false');
}

/** An item as `detailed` asks: false leaves out name and description. */
function detail(q: URLSearchParams, x: Item): Item {
  if (detailedFlag(q)) return x;
  const { name: _n, description: _d, ...rest } = x;
  return rest as Item;
}

/**
 * A page of a listing: `limit` (default KPI_PAGE, at most KPI_PAGE_MAX),
 * `after`/`before` an id of the listing (a name or an index). The cursor:
 * `start`/`end` the first and last id of the whole listing, `after` the
 * last id of the page when more follow, `before` its first id when more
 * precede, "-1" otherwise. An empty page is 204.
 */
function listing(c: Ctx, all: Item[]): void {
  const q = c.query;
  detailedFlag(q);
  const l = q.get('limit');
  let limit = KPI_PAGE;
  if (l !== null) {
    if (!/^[0-9]{1,6}$/.test(l) || Number(l) < 1) throw new BadQuery('Invalid query parameter "limit"');
    limit = Math.min(Number(l), KPI_PAGE_MAX);
  }
  const a = q.get('after');
  const b = q.get('before');
  if (a !== null && b !== null) throw new BadQuery('Invalid query parameters: use either after or before');
  let from = 0;
  let to: number;
  if (a !== null) {
    const i = all.findIndex((x) => x.id === a);
    if (i < 0) throw new BadQuery('Invalid query parameter "after"');
    from = i + 1;
    to = Math.min(all.length, from + limit);
  } else if (b !== null) {
    const i = all.findIndex((x) => x.id === b);
    if (i < 0) throw new BadQuery('Invalid query parameter "before"');
    to = i;
    from = Math.max(0, to - limit);
  } else to = Math.min(all.length, limit);
  if (to <= from) return empty(c, 204);
  const items = all.slice(from, to).map((x) => detail(q, x));
  json(c, 200, {
    items,
    cursor: {
      start: all[0].id,
      before: from > 0 ? all[from].id : '-1',
      after: to < all.length ? all[to - 1].id : '-1',
      end: all[all.length - 1].id,
    },
  });
}
