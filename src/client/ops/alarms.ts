/**
 * Alarms (vendor document section 7): one page of the active or history
 * list, every page in turn following the `after` cursor, one alarm's details.
 */
import { MediantInputError, MediantResponseError } from '../errors';
import { mapError } from '../map-error';
import { checkSignal, type Transport } from '../transport';
import { checkAlarmId, checkAlarmType, checkCursor, checkInteger, checkLimit } from '../validate';
import type { AlarmCursor, AlarmDetails, AlarmIterateOptions, AlarmPage, AlarmPageQuery, AlarmSummary, AlarmType, ApiResponse } from '../types';

export const DEFAULT_MAX_ALARM_PAGES = 10_000;

function listOperation(type: unknown): string {
  return type === 'active' || type === 'history' ? `read ${type} alarms` : 'read alarms';
}

export function getAlarmPage(t: Transport, type: AlarmType, query?: AlarmPageQuery, signal?: AbortSignal): Promise<ApiResponse<AlarmPage | null>> {
  const operation = listOperation(type);
  return t.guard(operation, async () => {
    const at = checkAlarmType(type, 'alarmType', operation);
    const qs = alarmQuery(query, operation);
    const res = await t.perform<AlarmPage | null>({
      operation,
      method: 'GET',
      path: `/api/v1/alarms/${at}${qs}`,
      headers: t.h.getJson,
      expect: 'json',
      empty: 'null',
      signal,
    });
    if (res.body !== null) res.body = checkAlarmPage(res.body, operation);
    return res;
  });
}

export async function* iterateAlarms(t: Transport, type: AlarmType, opts?: AlarmIterateOptions): AsyncIterableIterator<AlarmSummary> {
  const operation = listOperation(type);
  let after: string | undefined;
  let limit: number | undefined;
  let maxPages = DEFAULT_MAX_ALARM_PAGES;
  let signal: AbortSignal | undefined;
  try {
    checkAlarmType(type, 'alarmType', operation);
    if (opts !== undefined && (opts === null || typeof opts !== 'object')) throw new MediantInputError('options', 'an object', opts, operation);
    if (opts?.limit !== undefined) limit = checkLimit(opts.limit, 'limit', operation);
    if (opts?.after !== undefined) after = checkCursor(opts.after, 'after', operation);
    if (opts?.maxPages !== undefined) maxPages = checkInteger(opts.maxPages, 'maxPages', 1, Number.MAX_SAFE_INTEGER, operation);
    signal = checkSignal(opts?.signal, operation);
  } catch (e) {
    throw mapError(e, t.ctx(operation));
  }
  if (after === '-1') return;
  const seen = new Set<string>();
  if (after !== undefined) seen.add(after);
  for (let pages = 0; ; pages++) {
    if (pages >= maxPages) {
      throw new MediantResponseError(operation, `the device sent more than ${maxPages} pages of alarms; stopped there`);
    }
    const q: AlarmPageQuery = {};
    if (limit !== undefined) q.limit = limit;
    if (after !== undefined) q.after = after;
    const res = await getAlarmPage(t, type, q, signal);
    const page = res.body;
    if (page === null) return;
    for (const a of page.alarms) yield a;
    const next = page.cursor.after;
    if (next === '-1') return;
    if (seen.has(next)) {
      throw new MediantResponseError(operation, `the device's "after" cursor did not advance (${next}); stopped to avoid a loop`);
    }
    seen.add(next);
    after = next;
  }
}

export function getAlarm(t: Transport, type: AlarmType, id: string, signal?: AbortSignal): Promise<ApiResponse<AlarmDetails>> {
  const operation = 'read alarm';
  return t.guard(operation, async () => {
    const at = checkAlarmType(type, 'alarmType', operation);
    const alarmId = checkAlarmId(id, 'alarm id', operation);
    const res = await t.perform<AlarmDetails>({ operation, method: 'GET', path: `/api/v1/alarms/${at}/${alarmId}`, headers: t.h.getJson, expect: 'json', empty: 'object', signal });
    // ids are strings, whatever JSON type the device sent
    const idValue: unknown = res.body.id;
    if (typeof idValue === 'number' && Number.isSafeInteger(idValue)) res.body.id = String(idValue);
    return res;
  });
}

function alarmQuery(query: AlarmPageQuery | undefined, operation: string): string {
  if (query === undefined || query === null) return '';
  if (typeof query !== 'object') throw new MediantInputError('alarm page query', 'an object { limit?, after?, before? }', query, operation);
  let qs = '';
  if (query.limit !== undefined) qs += `&limit=${checkLimit(query.limit, 'limit', operation)}`;
  if (query.after !== undefined) qs += `&after=${checkCursor(query.after, 'after', operation)}`;
  if (query.before !== undefined) qs += `&before=${checkCursor(query.before, 'before', operation)}`;
  return qs === '' ? '' : `?${qs.slice(1)}`;
}

/**
 * An alarm page as the client hands it on. A missing cursor means "no more"
 * (-1); `start` and `end` (7.x) are kept where they are ids, any other
 * cursor key left out. Ids sent as JSON numbers become strings. A 7.x device
 * answers the first page of an empty list with 200, a cursor and no
 * `alarms`: that is a page with none. A 200 with neither `alarms` nor a
 * cursor, or an `alarms` that is not a list, is refused: read as "no alarms"
 * it would report every active alarm cleared.
 */
function checkAlarmPage(body: unknown, operation: string): AlarmPage {
  const page = body as Record<string, unknown>;
  const cursorObject = page.cursor !== null && typeof page.cursor === 'object' && !Array.isArray(page.cursor);
  if (page.alarms === undefined || page.alarms === null) {
    if (!cursorObject) throw new MediantResponseError(operation, 'alarm page without an "alarms" list');
    page.alarms = [];
  }
  if (!Array.isArray(page.alarms)) throw new MediantResponseError(operation, 'alarm page without an "alarms" list');
  for (const a of page.alarms as unknown[]) {
    if (a !== null && typeof a === 'object' && typeof (a as { id?: unknown }).id === 'number' && Number.isSafeInteger((a as { id: number }).id)) {
      (a as { id: unknown }).id = String((a as { id: number }).id);
    }
  }
  const c = (cursorObject ? page.cursor : {}) as Record<string, unknown>;
  const cursor: AlarmCursor = { after: deviceCursor(c.after, operation), before: deviceCursor(c.before, operation) };
  for (const k of ['start', 'end'] as const) {
    try {
      if (c[k] !== undefined && c[k] !== null && c[k] !== '') cursor[k] = checkCursor(c[k], k, operation);
    } catch {
      // not used to page: an odd value is left out
    }
  }
  page.cursor = cursor;
  return page as unknown as AlarmPage;
}

function deviceCursor(v: unknown, operation: string): string {
  if (v === undefined || v === null || v === '') return '-1';
  try {
    return checkCursor(v, 'cursor', operation);
  } catch {
    throw new MediantResponseError(operation, 'the device sent a cursor that is not a number');
  }
}
