/**
 * The KPI tree of firmware 7.4 (GET /api/v1/kpi/...), which replaces
 * /performanceMonitoring: listings at every level, current values, history
 * values of an interval, cursors followed page after page.
 *
 * What the device sends is made regular before a caller sees it: a listing
 * is `{ items, cursor }` and a single KPI's `{ id, value }` a page of one
 * item; ids and cursors are strings whatever JSON type they came as; a
 * cursor keeps `after`, `before`, `start` and `end` and leaves anything else
 * out; an item whose id is neither a string nor a number loses the id, not
 * the item. Reading every page is bounded by `maxPages`, a cursor that does
 * not advance, and the client's response cap for all pages together.
 */
import { MediantHttpError, MediantInputError, MediantResponseError, formatBytes } from '../errors';
import { mapError } from '../map-error';
import { checkSignal, type Transport } from '../transport';
import { checkBoolean, checkInteger, checkKpiInterval, checkKpiName, checkKpiPath, checkLimit, checkPmIndex } from '../validate';
import type { ApiResponse, KpiCursor, KpiInterval, KpiItem, KpiIterateOptions, KpiPage, KpiQuery, KpiReadOptions, KpiScope } from '../types';

/** Pages read at most by one read of every page. */
export const DEFAULT_MAX_KPI_PAGES = 1000;

const NONE = '-1';

function queryOf(q: KpiQuery | undefined, operation: string, history: boolean | undefined): string {
  if (q === undefined || q === null) return '';
  if (typeof q !== 'object') throw new MediantInputError('KPI query', 'an object { limit?, after?, before?, detailed?, kpi?, id?, interval? }', q, operation);
  const parts: string[] = [];
  if (q.interval !== undefined) {
    if (history === false) throw new MediantInputError('interval', 'nothing for current values (history only)', q.interval, operation);
    parts.push(`interval=${checkKpiInterval(q.interval, 'interval', operation)}`);
  }
  if (q.kpi !== undefined) parts.push(`kpi=${checkKpiName(q.kpi, 'kpi', operation)}`);
  if (q.id !== undefined) parts.push(`id=${checkPmIndex(q.id, 'id', operation)}`);
  if (q.limit !== undefined) parts.push(`limit=${checkLimit(q.limit, 'limit', operation)}`);
  if (q.after !== undefined && q.before !== undefined) throw new MediantInputError('before', 'nothing when after is given', q.before, operation);
  if (q.after !== undefined) parts.push(`after=${checkKpiName(q.after, 'after', operation)}`);
  if (q.before !== undefined) parts.push(`before=${checkKpiName(q.before, 'before', operation)}`);
  if (q.detailed !== undefined) parts.push(`detailed=${checkBoolean(q.detailed, 'detailed', operation)}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** An id or cursor from the device as a string; undefined where it is neither a string nor a finite number. */
function idText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A cursor value the client may send back: a listing's id, or "-1" (none). */
function cursorValue(v: unknown, operation: string): string {
  if (v === undefined || v === null || v === '') return NONE;
  const s = idText(v);
  if (s === NONE || s === '-1.0') return NONE;
  if (s !== undefined && /^[A-Za-z0-9_-]{1,64}$/.test(s)) return s;
  throw new MediantResponseError(operation, 'the device sent a KPI cursor that is not an id');
}

function item(v: unknown): KpiItem | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const it = v as KpiItem;
  const id = idText((v as Record<string, unknown>).id);
  if (id === undefined) delete it.id;
  else it.id = id;
  const interval = idText((v as Record<string, unknown>).interval);
  if (interval === undefined) delete it.interval;
  else it.interval = interval;
  return it;
}

/** A page as the client hands it on: `{ items, cursor }`; a single KPI's `{ id, value }` is a page of one item. */
function pageOf(body: unknown, operation: string): KpiPage {
  const b = body as Record<string, unknown>;
  if (b.items === undefined && (b.id !== undefined || b.value !== undefined)) {
    const one = item(b);
    return { items: one ? [one] : [], cursor: { after: NONE, before: NONE } };
  }
  if (b.items !== undefined && b.items !== null && !Array.isArray(b.items)) throw new MediantResponseError(operation, 'KPI listing whose "items" is not a list');
  const items: KpiItem[] = [];
  for (const x of (b.items as unknown[] | undefined) ?? []) {
    const it = item(x);
    if (it) items.push(it);
  }
  const c = b.cursor !== null && typeof b.cursor === 'object' ? (b.cursor as Record<string, unknown>) : {};
  const cursor: KpiCursor = { after: cursorValue(c.after, operation), before: cursorValue(c.before, operation) };
  const start = idText(c.start);
  const end = idText(c.end);
  if (start !== undefined) cursor.start = start;
  if (end !== undefined) cursor.end = end;
  return { items, cursor };
}

function operationFor(scope: KpiScope | undefined): string {
  return scope === 'current' ? 'read current KPIs' : scope === 'history' ? 'read KPI history' : 'list KPIs';
}

/** One page at `fullPath` (below /kpi, checked); null on 204. */
async function page(t: Transport, fullPath: string, qs: string, operation: string, signal: AbortSignal | undefined): Promise<ApiResponse<KpiPage | null>> {
  const res = await t.perform<unknown>({
    operation,
    method: 'GET',
    path: fullPath === '' ? `/api/v1/kpi${qs}` : `/api/v1/kpi/${fullPath}${qs}`,
    headers: t.h.getJson,
    expect: 'json',
    empty: 'null',
    signal,
  });
  return { statusCode: res.statusCode, headers: res.headers, body: res.body === null ? null : pageOf(res.body, operation) };
}

function scopeOf(path: string): KpiScope | undefined {
  const first = path.split('/')[0];
  return first === 'current' || first === 'history' ? first : undefined;
}

export function listKpi(t: Transport, path = '', query?: KpiQuery, signal?: AbortSignal): Promise<ApiResponse<KpiPage | null>> {
  const operation = operationFor(undefined);
  return t.guard(operation, () => {
    const p = checkKpiPath(path, 'path', operation, { withPrefix: true });
    const scope = scopeOf(p);
    if (p !== '' && scope === undefined) throw new MediantInputError('path', 'a KPI path starting with current or history', path, operation);
    const qs = queryOf(query, operation, scope === undefined ? undefined : scope === 'history');
    return page(t, p, qs, operation, checkSignal(signal, operation));
  });
}

interface Walk {
  fullPath: string;
  query: KpiQuery;
  maxPages: number;
  signal: AbortSignal | undefined;
  operation: string;
}

/** Checks a read of every page (`scope` given: `path` is below it) before anything is sent. */
function walkOf(scope: KpiScope | undefined, path: unknown, opts: KpiIterateOptions | undefined, operation: string): Walk {
  if (opts !== undefined && (opts === null || typeof opts !== 'object')) throw new MediantInputError('options', 'an object', opts, operation);
  let fullPath: string;
  if (scope === undefined) {
    fullPath = checkKpiPath(path, 'path', operation, { withPrefix: true });
    if (fullPath !== '' && scopeOf(fullPath) === undefined) throw new MediantInputError('path', 'a KPI path starting with current or history', path, operation);
  } else {
    fullPath = `${scope}/${checkKpiPath(path, 'kpi', operation, { min: 1, max: 5 })}`;
  }
  const o = opts ?? {};
  const query: KpiQuery = {};
  if (o.interval !== undefined) query.interval = o.interval;
  if (o.kpi !== undefined) query.kpi = o.kpi;
  if (o.id !== undefined) query.id = o.id;
  if (o.limit !== undefined) query.limit = o.limit;
  if (o.after !== undefined) query.after = o.after;
  if (o.detailed !== undefined) query.detailed = o.detailed;
  const s = scopeOf(fullPath);
  queryOf(query, operation, s === undefined ? undefined : s === 'history');
  if (s === 'history' && fullPath.includes('/') && query.interval === undefined) {
    throw new MediantInputError('interval', 'an interval index, "last" or "all" for history values', undefined, operation);
  }
  const maxPages = o.maxPages === undefined ? DEFAULT_MAX_KPI_PAGES : checkInteger(o.maxPages, 'maxPages', 1, 1_000_000, operation);
  return { fullPath, query, maxPages, signal: checkSignal(o.signal, operation), operation };
}

/**
 * The answers to a read of every page, in order, following `after` until
 * "-1". A 204 is yielded (body null) and ends it. A single KPI, or a read of
 * one KPI or index (`kpi=`, `id=`), is one answer whatever its cursor says.
 */
async function* pages(t: Transport, w: Walk): AsyncGenerator<ApiResponse<KpiPage | null>> {
  const seen = new Set<string>();
  let after = w.query.after;
  if (after !== undefined) seen.add(String(after));
  for (let n = 0; ; n++) {
    if (n >= w.maxPages) throw new MediantResponseError(w.operation, `the device sent more than ${w.maxPages} pages of KPIs; stopped there`);
    const q: KpiQuery = { ...w.query };
    if (after !== undefined) q.after = after;
    const res = await page(t, w.fullPath, queryOf(q, w.operation, undefined), w.operation, w.signal);
    yield res;
    if (res.body === null) return;
    const next = res.body.cursor.after;
    if (next === NONE || w.query.kpi !== undefined || w.query.id !== undefined) return;
    if (seen.has(next)) throw new MediantResponseError(w.operation, `the device's "after" cursor did not advance (${next}); stopped to avoid a loop`);
    seen.add(next);
    after = next;
  }
}

export async function* iterateKpi(t: Transport, path: string, opts?: KpiIterateOptions): AsyncIterableIterator<KpiItem> {
  let w: Walk;
  try {
    w = walkOf(undefined, path, opts, 'list KPIs');
  } catch (e) {
    throw mapError(e, t.ctx('list KPIs'));
  }
  w.operation = operationFor(w.fullPath.includes('/') ? scopeOf(w.fullPath) : undefined);
  try {
    for await (const res of pages(t, w)) if (res.body) yield* res.body.items;
  } catch (e) {
    throw mapError(e, t.ctx(w.operation));
  }
}

function readAll(t: Transport, scope: KpiScope, path: string, opts: KpiIterateOptions | undefined): Promise<ApiResponse<KpiItem[]>> {
  const operation = operationFor(scope);
  return t.guard(operation, async () => {
    const w = walkOf(scope, path, opts, operation);
    const items: KpiItem[] = [];
    let bytes = 0;
    let last: ApiResponse<KpiPage | null> | undefined;
    for await (const res of pages(t, w)) {
      last = res;
      for (const it of res.body?.items ?? []) {
        bytes += Buffer.byteLength(JSON.stringify(it) ?? '');
        if (bytes > t.maxBytes) throw new MediantResponseError(operation, `the KPIs of ${w.fullPath} came to more than ${formatBytes(t.maxBytes)} after ${items.length} items`);
        items.push(it);
      }
    }
    // `pages` yields at least once (or throws)
    const end = last as ApiResponse<KpiPage | null>;
    return { statusCode: end.statusCode, headers: end.headers, body: items };
  });
}

export function getKpiCurrent(t: Transport, path: string, opts?: KpiReadOptions): Promise<ApiResponse<KpiItem[]>> {
  const operation = operationFor('current');
  return t.guard(operation, () => {
    const interval = opts !== null && typeof opts === 'object' ? (opts as KpiIterateOptions).interval : undefined;
    if (interval !== undefined) throw new MediantInputError('interval', 'nothing for current values (history only)', interval, operation);
    return readAll(t, 'current', path, opts);
  });
}

export function getKpiHistory(t: Transport, path: string, interval: KpiInterval, opts?: KpiReadOptions): Promise<ApiResponse<KpiItem[]>> {
  const operation = operationFor('history');
  return t.guard(operation, () => {
    if (opts !== undefined && (opts === null || typeof opts !== 'object')) throw new MediantInputError('options', 'an object', opts, operation);
    checkKpiInterval(interval, 'interval', operation);
    return readAll(t, 'history', path, { ...opts, interval });
  });
}

/**
 * The newest completed interval of a KPI, or of an entity's KPIs (they are
 * collected together). The device documents `interval=last` for a single KPI
 * only: for an entity (`sbc/callStats/global`, `sbc/callStats/ipGroup/1`),
 * which answers `last` with a 400 or without an interval, its first KPI is
 * asked instead. null: the device keeps no interval (204).
 */
export function getLastKpiInterval(t: Transport, path: string, signal?: AbortSignal): Promise<ApiResponse<number | null>> {
  const operation = operationFor('history');
  return t.guard(operation, async () => {
    const p = checkKpiPath(path, 'kpi', operation, { min: 1, max: 5 });
    const sig = checkSignal(signal, operation);
    const last = (kpiPath: string): Promise<ApiResponse<KpiPage | null>> => page(t, `history/${kpiPath}`, '?interval=last', operation, sig);
    const intervalOf = (res: ApiResponse<KpiPage | null>): ApiResponse<number | null> => {
      const at = res.body?.items[0]?.interval;
      if (at !== undefined && !/^[0-9]{1,15}$/.test(at)) throw new MediantResponseError(operation, 'the device sent an interval that is not an index');
      return { statusCode: res.statusCode, headers: res.headers, body: at === undefined ? null : Number(at) };
    };
    let direct: ApiResponse<KpiPage | null> | undefined;
    try {
      direct = await last(p);
    } catch (e) {
      if (!(e instanceof MediantHttpError && e.statusCode === 400)) throw e;
    }
    if (direct && (direct.body === null || direct.body.items[0]?.interval !== undefined)) return intervalOf(direct);
    const listing = await page(t, `current/${p}`, '?limit=1&detailed=false', operation, sig);
    const first = listing.body?.items[0];
    if (!first || first.value === undefined || first.id === undefined) {
      throw new MediantInputError('kpi', 'a KPI, or an entity with KPIs (e.g. sbc/callStats/global)', path, operation);
    }
    return intervalOf(await last(`${p}/${checkKpiName(first.id, 'kpi', operation)}`));
  });
}

/** A KPI value as a number: numbers as they are, a decimal string (history) parsed, anything else (null, text) null. */
export function kpiNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && /^\s*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*$/.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** Items as `{ <id>: number | null }`, for a chart, InfluxDB or Prometheus; items without an id (an `interval=all` history) are keyed by their interval. */
export function kpiValues(items: readonly KpiItem[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const it of items) {
    const key = it.id ?? it.interval;
    if (key === undefined || key === '__proto__') continue;
    out[key] = kpiNumber(it.value);
  }
  return out;
}
