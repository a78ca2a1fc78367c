/**
 * AlarmSync: turns repeated reads of `/alarms/active` or `/alarms/history`
 * into events that are each reported once (vendor document section 7). It
 * knows nothing of Node-RED: it is given a `MediantApi` and a small JSON state
 * (what it has already reported), and every `poll()` answers with the events
 * since the last poll and the state to keep for the next one. Whoever runs it
 * (the `mediant-alarms-poll` node) stores that state, so a restart of the
 * process continues where the last successful poll ended.
 *
 * How an alarm is recognised. The device numbers alarms from 1 after every
 * reboot, so an id alone can name a different alarm than it did before a
 * reboot. The list pages carry `id` and `description`; the details add
 * `severity`, `source` and `date`. An alarm is the same one when all five are
 * the same.
 *
 * Active alarms: every poll reads all list pages (following `after` until
 * "-1" or a 204). Details are read only for an id not seen before, or whose
 * description changed (that id now names another alarm: the old one is
 * reported cleared, the new one raised). A reboot can also give an old id to
 * a new alarm with the same description ("Trunk is down" again); that cannot
 * be told from the list, so the details of every listed alarm are compared
 * with the stored ones on the first poll after the engine was created with a
 * stored state (a Node-RED restart) and on the first poll after a failed one
 * (the device was unreachable: a reboot is likely). An idle poll otherwise
 * costs the list pages and nothing else. An alarm raised and cleared between
 * two polls is never listed and so never reported: history mode sees it.
 *
 * History: entries only ever get added (until a reboot empties the history,
 * or the device drops its oldest entries when the history is full). The
 * state keeps the last entry seen, with its details. A poll first reads that
 * entry again: if it is still there and the same, only the entries after it
 * are new (an idle poll: that read plus one page answered 204, two requests);
 * if it is gone or different, the history restarted (a reboot) or moved past
 * it (oldest dropped), and in both cases every listed entry is new (ids only
 * grow within a boot, so every entry still listed comes after the lost one).
 *
 * Failures: a poll reads everything it needs before it changes anything. If
 * any page or detail read fails, the poll rejects as a whole and the state
 * stays as it was, so the next poll does the same work again: nothing is lost
 * and nothing is reported twice.
 */
import { MediantBusyError, MediantInputError, isMediantError } from './errors';
import type { AlarmDetails, AlarmSummary, AlarmType, MediantApi } from './types';

export type AlarmEventKind = 'raised' | 'cleared' | 'history';

export interface AlarmEvent {
  event: AlarmEventKind;
  /** The device's details; for `cleared`, the last details known. */
  alarm: AlarmDetails;
}

export interface AlarmSyncOptions {
  /** Detail reads at the same time. Default 4. */
  concurrency?: number;
  /**
   * Page size asked of the device (`limit`). Default 100: an idle poll of N
   * active alarms costs ceil(N/100) requests instead of ceil(N/20). The
   * document lets the device return fewer than asked, which the cursor
   * handles.
   */
  pageLimit?: number;
  /** Cap on pages read in one poll. Default: the client's. */
  maxPages?: number;
  /** On the very first poll (no stored state), report what is already there. Default true. */
  emitExisting?: boolean;
}

/** What the engine keeps between polls: plain JSON, small (one entry for history). */
export interface AlarmSyncState {
  version: 1;
  alarmType: AlarmType;
  /** active: the last known details of every current alarm, in device order. */
  alarms?: AlarmDetails[];
  /** history: the last entry seen, or null when the history was empty. */
  last?: AlarmDetails | null;
}

export interface PollResult {
  /** In order: for active, clears first, then raises in device order; for history, device order. */
  events: AlarmEvent[];
  /**
   * active: every current alarm's details; history: the entries new in this
   * poll. A fresh copy at each access, made only when asked for (an events
   * output never needs it).
   */
  readonly current: AlarmDetails[];
  /** How many `current` holds, without copying it. */
  count: number;
  /** The state to store: a fresh copy at each access, the caller may keep it. */
  readonly state: AlarmSyncState;
  /** Whether the state differs from the one before this poll (an idle poll: false, nothing to store). */
  changed: boolean;
  /** This was the very first poll (no stored state); with emitExisting false it reported nothing. */
  first: boolean;
}

/** What a poll works out, before the caller gets its copies. */
interface Outcome {
  events: AlarmEvent[];
  current: AlarmDetails[];
  state: AlarmSyncState;
  first: boolean;
}

/** Whether two states say the same (by identity first: an idle poll keeps the very same objects). */
function sameState(a: AlarmSyncState | undefined, b: AlarmSyncState): boolean {
  if (!a) return false;
  if (a.alarmType === 'history') {
    const x = a.last ?? null;
    const y = b.last ?? null;
    return x === y || (x !== null && y !== null && sameAlarm(x, y));
  }
  const x = a.alarms ?? [];
  const y = b.alarms ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i] || sameAlarm(v, y[i]));
}

const STATE_VERSION = 1;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_PAGE_LIMIT = 100;
const MAX_CONCURRENCY = 64;

/** The fields that tell one alarm from another; the details may carry more. */
const IDENTITY = ['id', 'description', 'severity', 'source', 'date'] as const;

function sameAlarm(a: AlarmDetails, b: AlarmDetails): boolean {
  return IDENTITY.every((k) => String(a[k] ?? '') === String(b[k] ?? ''));
}

function isNotFound(err: unknown): boolean {
  return isMediantError(err) && err.code === 'EHTTP' && err.statusCode === 404;
}

function copy<T>(v: T): T {
  return structuredClone(v);
}

function isDetails(v: unknown): v is AlarmDetails {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { id?: unknown }).id === 'string';
}

/**
 * A stored state, if it is one this engine can continue from for this alarm
 * type; undefined otherwise (nothing stored, another alarm type, another
 * version, or damaged).
 */
export function usableState(raw: unknown, alarmType: AlarmType): AlarmSyncState | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const s = raw as Partial<AlarmSyncState>;
  if (s.version !== STATE_VERSION || s.alarmType !== alarmType) return undefined;
  if (alarmType === 'active') {
    if (!Array.isArray(s.alarms) || !s.alarms.every(isDetails)) return undefined;
    return { version: STATE_VERSION, alarmType, alarms: copy(s.alarms) };
  }
  if (s.last !== null && !isDetails(s.last)) return undefined;
  return { version: STATE_VERSION, alarmType, last: s.last === null ? null : copy(s.last) };
}

/**
 * Runs `fn` over the items of `source` with at most `limit` at a time,
 * results in source order. `source` is called with the shared signal, so an
 * item can start while later items are still being produced (details are
 * read while the next list page is on its way). The first failure, of the
 * source or of `fn`, aborts the rest and is what the whole call rejects with.
 */
async function mapLimit<T, R>(
  source: (signal: AbortSignal) => Iterable<T> | AsyncIterable<T>,
  limit: number,
  fn: (item: T, signal: AbortSignal) => Promise<R>,
  outer?: AbortSignal,
): Promise<R[]> {
  const results: R[] = [];
  // One controller for this call, which the caller's signal also aborts (a
  // listener, not AbortSignal.any: this runs on every poll of every device).
  const own = new AbortController();
  const signal = own.signal;
  const forward = (): void => own.abort(outer?.reason);
  if (outer?.aborted) forward();
  else outer?.addEventListener('abort', forward, { once: true });
  const running = new Set<Promise<void>>();
  let failed = false;
  let failure: unknown;
  const fail = (err: unknown): void => {
    if (!failed) {
      failed = true;
      failure = err;
      own.abort();
    }
  };
  try {
    let i = 0;
    for await (const item of source(signal)) {
      if (failed) break;
      const at = i++;
      const task: Promise<void> = fn(item, signal).then((r) => {
        results[at] = r;
      }, fail);
      running.add(task);
      void task.finally(() => running.delete(task));
      if (running.size >= limit) await Promise.race(running);
    }
  } catch (err) {
    fail(err);
  }
  await Promise.all(running);
  outer?.removeEventListener('abort', forward);
  if (failed) throw failure;
  return results;
}

export class AlarmSync {
  readonly alarmType: AlarmType;
  private readonly api: MediantApi;
  private readonly concurrency: number;
  private readonly pageLimit: number;
  private readonly maxPages?: number;
  private readonly emitExisting: boolean;
  private current: AlarmSyncState | undefined;
  /** Compare the details of known active alarms on the next poll (after a restart or a failed poll). */
  private verifyNext: boolean;
  private polling = false;

  /**
   * @param state what a previous poll returned (e.g. from the node's
   *   context); anything else (undefined, another alarm type, damaged) means
   *   starting afresh, as on the very first poll. See `usableState`.
   */
  constructor(api: MediantApi, alarmType: AlarmType, options: AlarmSyncOptions = {}, state?: unknown) {
    if (alarmType !== 'active' && alarmType !== 'history') {
      throw new MediantInputError('alarmType', 'one of active, history', alarmType, 'poll alarms');
    }
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      throw new MediantInputError('concurrency', `an integer from 1 to ${MAX_CONCURRENCY}`, concurrency, 'poll alarms');
    }
    this.api = api;
    this.alarmType = alarmType;
    this.concurrency = concurrency;
    this.pageLimit = options.pageLimit ?? DEFAULT_PAGE_LIMIT;
    if (options.maxPages !== undefined) this.maxPages = options.maxPages;
    this.emitExisting = options.emitExisting ?? true;
    this.current = usableState(state, alarmType);
    this.verifyNext = this.current !== undefined;
  }

  /** Whether a stored state was taken over (false: the next poll is a first poll). */
  get resumed(): boolean {
    return this.current !== undefined;
  }

  /** A copy of the state after the last successful poll (undefined before the first). */
  get state(): AlarmSyncState | undefined {
    return this.current && copy(this.current);
  }

  /**
   * One poll. Rejects (with a MediantError) when any read fails; the state is
   * then unchanged. Polls must not overlap: a second call while one runs is
   * refused.
   */
  async poll(signal?: AbortSignal): Promise<PollResult> {
    if (this.polling) throw new MediantBusyError('poll alarms', 'a poll of these alarms is already under way');
    this.polling = true;
    try {
      const result = this.alarmType === 'active' ? await this.pollActive(signal) : await this.pollHistory(signal);
      const changed = result.first || result.events.length > 0 || !sameState(this.current, result.state);
      this.current = result.state;
      this.verifyNext = false;
      // The caller gets copies, each its own: a flow changing msg.payload must
      // change neither what we remember nor the state the caller stores.
      // Copies of the whole list are made only when asked for: at 1,000
      // devices, copying every idle poll's state was a measurable share of CPU.
      return {
        events: copy(result.events),
        get current() {
          return copy(result.current);
        },
        count: result.current.length,
        get state() {
          return copy(result.state);
        },
        changed,
        first: result.first,
      };
    } catch (err) {
      this.verifyNext = true;
      throw err;
    } finally {
      this.polling = false;
    }
  }

  /**
   * Every summary of the list, following `after`, as it arrives; an id listed
   * twice (pages shifting) counts once. Each is also pushed onto `into`.
   */
  private async *list(after: string | undefined, into: AlarmSummary[], signal?: AbortSignal): AsyncGenerator<AlarmSummary> {
    const seen = new Set<string>();
    const opts: { after?: string; limit: number; maxPages?: number; signal?: AbortSignal } = { limit: this.pageLimit };
    if (after !== undefined) opts.after = after;
    if (this.maxPages !== undefined) opts.maxPages = this.maxPages;
    if (signal) opts.signal = signal;
    for await (const s of this.api.iterateAlarms(this.alarmType, opts)) {
      const id = String(s.id);
      if (seen.has(id)) continue;
      seen.add(id);
      into.push(s);
      yield s;
    }
  }

  /** The whole list, before anything else is done with it. */
  private async listAll(after: string | undefined, signal?: AbortSignal): Promise<AlarmSummary[]> {
    const out: AlarmSummary[] = [];
    for await (const _ of this.list(after, out, signal));
    return out;
  }

  /** One alarm's details; `null` where the device answers 404 and `missingOk`. */
  private async detail(id: string, missingOk: boolean, signal: AbortSignal): Promise<AlarmDetails | null> {
    try {
      // By type and id, not by the listed `url`: the document's history
      // example lists `/alarms/active/<id>` urls for history entries, a
      // typo beside section 7.2.1's `/alarms/history/<id>`.
      return (await this.api.getAlarm(this.alarmType, id, signal)).body;
    } catch (err) {
      if (missingOk && isNotFound(err)) return null;
      throw err;
    }
  }

  /**
   * Details of each id, at most `concurrency` at a time; `null` where the
   * device answers 404 and `missingOk` (an active alarm cleared between the
   * list and this read). Any other failure rejects.
   */
  private details(ids: readonly string[], missingOk: boolean, signal?: AbortSignal): Promise<Array<AlarmDetails | null>> {
    return mapLimit(() => ids, this.concurrency, (id, s) => this.detail(id, missingOk, s), signal);
  }

  private async pollActive(signal?: AbortSignal): Promise<Outcome> {
    const first = this.current === undefined;
    const known = new Map((this.current?.alarms ?? []).map((a) => [a.id, a]));
    const verify = this.verifyNext;
    const listed: AlarmSummary[] = [];
    // The ids whose details are needed: new, renamed, or all when verifying.
    // They are read while the following list pages are still coming.
    const toRead = async function* (this: AlarmSync, sig: AbortSignal): AsyncGenerator<string> {
      for await (const s of this.list(undefined, listed, sig)) {
        const k = known.get(String(s.id));
        if (!k || verify || k.description !== s.description) yield String(s.id);
      }
    }.bind(this);
    const read = await mapLimit(toRead, this.concurrency, async (id, s) => [id, await this.detail(id, true, s)] as const, signal);
    const fresh = new Map<string, AlarmDetails | null>(read);

    const next: AlarmDetails[] = [];
    const kept = new Set<AlarmDetails>();
    const raised: AlarmDetails[] = [];
    for (const s of listed) {
      const id = String(s.id);
      const k = known.get(id);
      if (!fresh.has(id)) {
        // Known, same description, nothing to verify: the same alarm.
        if (k) {
          next.push(k);
          kept.add(k);
        }
        continue;
      }
      const d = fresh.get(id);
      if (!d) continue; // gone between the list and the detail read
      next.push(d);
      if (k && sameAlarm(k, d)) kept.add(k);
      else raised.push(d);
    }
    const cleared = [...known.values()].filter((k) => !kept.has(k));

    const reportNow = !first || this.emitExisting;
    const events: AlarmEvent[] = reportNow
      ? [...cleared.map((alarm) => ({ event: 'cleared' as const, alarm })), ...raised.map((alarm) => ({ event: 'raised' as const, alarm }))]
      : [];
    return { events, current: next, state: { version: STATE_VERSION, alarmType: 'active', alarms: next }, first };
  }

  private async pollHistory(signal?: AbortSignal): Promise<Outcome> {
    const first = this.current === undefined;
    const last = this.current?.last ?? null;

    // Is the last entry we saw still there, unchanged? Then only what follows it is new.
    let after: string | undefined;
    if (last) {
      const [now] = await this.details([last.id], true, signal);
      if (now && sameAlarm(now, last)) after = last.id;
    }
    const listed = (await this.listAll(after, signal)).filter((s) => after === undefined || String(s.id) !== after);

    const reportNow = !first || this.emitExisting;
    // Reporting nothing on a first poll, only the newest entry's details are needed (to recognise it later).
    const wanted = reportNow ? listed : listed.slice(-1);
    const read = await this.details(
      wanted.map((s) => String(s.id)),
      false,
      signal,
    );
    const entries = read.filter((d): d is AlarmDetails => d !== null);
    const newLast = listed.length > 0 ? entries[entries.length - 1] : after !== undefined ? last : null;
    const fresh = reportNow ? entries : [];
    return {
      events: fresh.map((alarm) => ({ event: 'history' as const, alarm })),
      current: fresh,
      state: { version: STATE_VERSION, alarmType: 'history', last: newLast ?? null },
      first,
    };
  }
}
