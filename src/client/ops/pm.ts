/**
 * Performance monitoring, firmware 7.0 and 7.2 (vendor document section 9).
 * The document's PM examples say `/api/v1/alarms/performanceMonitoring/...`:
 * a typo. The navigation tree (section 4) and section 9's own URL put PMs
 * at `/api/v1/performanceMonitoring`, which is what we use.
 */
import { MediantInputError, MediantResponseError, formatBytes } from '../errors';
import type { Transport } from '../transport';
import { checkInteger, checkPmIndex, checkPmInterval, checkPmName } from '../validate';
import type { ApiResponse, PmDiscovery, PmList, PmQuery, PmValue, PmValuesQuery } from '../types';

/** PM indexes read at most for one `getPmValues` (index `all`). */
export const DEFAULT_MAX_PM_INDEXES = 10_000;

export function listPms(t: Transport, signal?: AbortSignal): Promise<ApiResponse<PmList>> {
  return t.getJson('read PM list', '/api/v1/performanceMonitoring', signal);
}

export function getPmDiscovery(t: Transport, pm: string, signal?: AbortSignal): Promise<ApiResponse<PmDiscovery>> {
  const operation = 'read PM';
  return t.guard(operation, () => {
    const name = checkPmName(pm, 'pm', operation);
    return t.perform({ operation, method: 'GET', path: `/api/v1/performanceMonitoring/${name}`, headers: t.h.getJson, expect: 'json', empty: 'object', signal });
  });
}

export function getPmValue(t: Transport, pm: string, query: PmQuery, signal?: AbortSignal): Promise<ApiResponse<PmValue>> {
  const operation = 'read PM';
  return t.guard(operation, () => {
    const name = checkPmName(pm, 'pm', operation);
    if (!query || typeof query !== 'object') throw new MediantInputError('PM query', 'an object with index (and interval)', query, operation);
    const index = checkPmIndex(query.index, 'index', operation);
    const interval = query.interval === undefined ? '' : `&interval=${checkPmInterval(query.interval, 'interval', operation)}`;
    return t.perform({
      operation,
      method: 'GET',
      path: `/api/v1/performanceMonitoring/${name}?index=${index}${interval}`,
      headers: t.h.getJson,
      expect: 'json',
      empty: 'object',
      signal,
    });
  });
}

/**
 * Every index of a PM (index `all`): the discovery, then one value per
 * listed index, in order. Bounded: a discovery listing more than
 * `maxIndexes` indexes is refused before any value is read, and reading
 * stops once the values come to more than the response cap.
 */
export function getPmValues(t: Transport, pm: string, query?: PmValuesQuery, signal?: AbortSignal): Promise<ApiResponse<PmValue[]>> {
  const operation = 'read PM';
  return t.guard(operation, async () => {
    const name = checkPmName(pm, 'pm', operation);
    if (query !== undefined && (query === null || typeof query !== 'object')) throw new MediantInputError('PM query', 'an object { interval?, maxIndexes? }', query, operation);
    const interval = query?.interval === undefined ? undefined : checkPmInterval(query.interval, 'interval', operation);
    const maxIndexes = query?.maxIndexes === undefined ? DEFAULT_MAX_PM_INDEXES : checkInteger(query.maxIndexes, 'maxIndexes', 1, 1_000_000, operation);
    const discovery = await getPmDiscovery(t, name, signal);
    const listed: unknown = discovery.body?.indexes;
    if (!Array.isArray(listed)) throw new MediantResponseError(operation, `the discovery of ${name} has no "indexes" list`);
    if (listed.length > maxIndexes) {
      throw new MediantResponseError(operation, `the device listed ${listed.length} indexes for ${name}, more than the ${maxIndexes} read at most`);
    }
    for (const i of listed) {
      if (typeof i !== 'number' || !Number.isSafeInteger(i) || i < 0) throw new MediantResponseError(operation, `the discovery of ${name} lists an index that is not an integer >= 0`);
    }
    const values: PmValue[] = [];
    let bytes = 0;
    let last: ApiResponse<unknown> = discovery;
    for (const index of listed as number[]) {
      const r = await getPmValue(t, name, interval === undefined ? { index } : { index, interval }, signal);
      bytes += Buffer.byteLength(JSON.stringify(r.body) ?? '');
      if (bytes > t.maxBytes) {
        throw new MediantResponseError(operation, `the values of ${name} came to more than ${formatBytes(t.maxBytes)} after ${values.length + 1} of ${listed.length} indexes`);
      }
      values.push(r.body);
      last = r;
    }
    return { statusCode: last.statusCode, body: values, headers: last.headers };
  });
}
