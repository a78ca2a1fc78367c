/**
 * AlarmSync: turns repeated reads of `/alarms/active` or `/alarms/history`
 * into events that are each reported once (vendor document section 7). It
 * knows nothing of Node-RED: it is given a `MediantApi` and a small JSON state
 * (what it has already reported), and every `poll()` answers with the events
 * since the last poll and the state to keep for the next one. Whoever runs it
 * (AlarmWatch, see alarm-watch.ts) stores that state, so a restart of the
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
 * Event ids. Every event carries `eventId`, a hash of the device's identity
 * (given by the caller), the numbering epoch, the alarm id, its raise time
 * (`date`) and the kind of event: the same event computed again (after a
 * crash, by another Node-RED) gets the same id, so a flow can drop a repeat.
 * The epoch (`boot` in the state) counts the times the device was seen
 * numbering its alarms afresh: a known id that now names another alarm, or a
 * history that starts again below the last id seen. Each active alarm keeps
 * the epoch it was raised in, so its `cleared` event after a reboot still
 * names the boot it belonged to.
 *
 * Odd answers. Nothing the device sends can make a poll throw anything but a
 * MediantError, or stop the alarms it can read from flowing: ids are strings
 * everywhere (a device answering numbers is normalised in the list, the
 * details and the stored state); an entry whose id is not an alarm id, or
 * whose details are malformed or cannot be copied, is skipped and reported
 * once in `problems` (again only after it was gone for a poll); fields of any
 * type are carried as data. A poll reads at most `maxPages` pages,
 * `maxAlarms` entries and `maxBytes` of details (and keeps at most that much
 * in its state) and otherwise fails with a message that says what the device
 * did.
 *
 * Failures: a poll reads everything it needs before it changes anything. If
 * any page or detail read fails, the poll rejects as a whole and the state
 * stays as it was, so the next poll does the same work again: nothing is lost
 * and nothing is reported twice. The state moves on only once the events and
 * their copies are built.
 */
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { MediantBusyError, MediantError, MediantInputError, MediantResponseError, describeValue, formatBytes, isMediantError } from './errors';
import type { AlarmDetails, AlarmSummary, AlarmType, MediantApi } from './types';
import { checkAlarmId } from './validate';

export type AlarmEventKind = 'raised' | 'cleared' | 'history';

export interface AlarmEvent {
  event: AlarmEventKind;
  /** The device's details; for `cleared`, the last details known. */
  alarm: AlarmDetails;
  /** Stable across repeats of this event: see "Event ids" above. */
  eventId: string;
  /** The numbering epoch the alarm belongs to (see "Event ids"). */
  boot: number;
}

export interface AlarmSyncOptions {
  /** Detail reads at the same time. Default 8 (DEFAULT_CONCURRENCY). */
  concurrency?: number;
  /**
   * Page size asked of the device (`limit`). Default 100: an idle poll of N
   * active alarms costs ceil(N/100) requests instead of ceil(N/20). The
   * document lets the device return fewer than asked, which the cursor
   * handles.
   */
  pageLimit?: number;
  /** Cap on list pages read in one poll. Default DEFAULT_ALARM_LIMITS.maxPages. */
  maxPages?: number;
  /** Cap on list entries read in one poll (and alarms kept). Default DEFAULT_ALARM_LIMITS.maxAlarms. */
  maxAlarms?: number;
  /** Cap on the alarm details read in one poll, and kept in the state, in bytes of JSON. Default DEFAULT_ALARM_LIMITS.maxBytes. */
  maxBytes?: number;
  /** On the very first poll (no stored state), report what is already there. Default true. */
  emitExisting?: boolean;
  /** The device's identity (serial number, or host:port): part of every event id. Default "". */
  device?: string;
}

/**
 * Per-poll limits. A real device keeps a few hundred active alarms and a
 * history of at most a few thousand entries, of a few hundred bytes each: the
 * defaults are 25 times the largest of those and still bound a poll's memory.
 */
export const DEFAULT_ALARM_LIMITS = Object.freeze({ maxPages: 5_000, maxAlarms: 50_000, maxBytes: 64 * 1024 * 1024 });

/** What the engine keeps between polls: plain JSON, small (one entry for history). */
export interface AlarmSyncState {
  version: 2;
  alarmType: AlarmType;
  /** The numbering epoch (see "Event ids"); 0 until the device is first seen numbering afresh. */
  boot: number;
  /** active: the last known details of every current alarm, in device order. */
  alarms?: AlarmDetails[];
  /** active: the epoch each of `alarms` was raised in. */
  boots?: number[];
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
  /** Entries skipped in this poll and not reported before (a bad id, malformed details), one error each. */
  problems: MediantError[];
}

/** One known active alarm. */
interface Known {
  details: AlarmDetails;
  boot: number;
  /** Its JSON size, for the state cap. */
  size: number;
}

/** What a poll works out, before the caller gets its copies. */
interface Outcome {
  events: AlarmEvent[];
  current: AlarmDetails[];
  state: AlarmSyncState;
  known?: Map<string, Known>;
  first: boolean;
}

/** What the engine keeps of a list entry: its id (a string) and description (as text). */
interface Listed {
  id: string;
  description: string;
}

const STATE_VERSION = 2;
/**
 * Detail reads at the same time, by default. Chosen from a sweep (bench
 * scenario 4, bench/README.md "Choosing the storm's concurrency"): a first
 * sync of 10,000 alarms at 2 ms per answer took about 1.5x less time at 8
 * than at 4; 16 was faster again on the simulator, which answers any number
 * of requests at once, but doubles the load on a device's management plane,
 * whose capacity no document states, for a cost paid once (a first sync).
 */
export const DEFAULT_CONCURRENCY = 8;
const DEFAULT_PAGE_LIMIT = 100;
const MAX_CONCURRENCY = 64;

/** The fields that tell one alarm from another; the details may carry more. */
const IDENTITY = ['id', 'description', 'severity', 'source', 'date'] as const;

/**
 * A field as text, whatever its type: a string as it is, a number or boolean
 * written out, null/undefined as "", anything else as JSON (an object such as
 * `{"toString":1}` would make `String()` throw).
 */
export function fieldText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

function sameAlarm(a: AlarmDetails, b: AlarmDetails): boolean {
  return IDENTITY.every((k) => a[k] === b[k] || fieldText(a[k]) === fieldText(b[k]));
}

/** The event id: see "Event ids" above. */
export function eventIdOf(device: string, boot: number, kind: AlarmEventKind, alarm: AlarmDetails): string {
  const key = JSON.stringify([device, boot, fieldText(alarm.id), fieldText(alarm.date), kind]);
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

function isNotFound(err: unknown): boolean {
  return isMediantError(err) && err.code === 'EHTTP' && err.statusCode === 404;
}

function copy<T>(v: T): T {
  return structuredClone(v);
}

/** An alarm id as the engine keeps it (a string of digits), or undefined. */
function idOf(v: unknown): string | undefined {
  try {
    return checkAlarmId(v);
  } catch {
    return undefined;
  }
}

/**
 * Stored details, checked and normalised (a numeric id becomes a string);
 * undefined when it is not an alarm's details.
 */
function storedDetails(v: unknown): AlarmDetails | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const id = idOf((v as { id?: unknown }).id);
  if (id === undefined) return undefined;
  return { ...(v as AlarmDetails), id };
}

/**
 * A stored state, if it is one this engine can continue from for this alarm
 * type; undefined otherwise (nothing stored, another alarm type, another
 * version, or damaged). A state of version 1 (before epochs) is taken over
 * with epoch 0.
 */
export function usableState(raw: unknown, alarmType: AlarmType): AlarmSyncState | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const s = raw as { version?: unknown; alarmType?: unknown; boot?: unknown; alarms?: unknown; boots?: unknown; last?: unknown };
  if ((s.version !== 1 && s.version !== STATE_VERSION) || s.alarmType !== alarmType) return undefined;
  const boot = s.version === 1 ? 0 : s.boot;
  if (typeof boot !== 'number' || !Number.isSafeInteger(boot) || boot < 0) return undefined;
  try {
    if (alarmType === 'active') {
      if (!Array.isArray(s.alarms)) return undefined;
      const alarms = s.alarms.map(storedDetails);
      if (!alarms.every((a): a is AlarmDetails => a !== undefined)) return undefined;
      let boots: number[];
      if (s.version === 1) boots = alarms.map(() => 0);
      else if (Array.isArray(s.boots) && s.boots.length === alarms.length && s.boots.every((b) => Number.isSafeInteger(b) && b >= 0 && b <= boot)) boots = s.boots as number[];
      else return undefined;
      return copy({ version: STATE_VERSION, alarmType, boot, alarms, boots });
    }
    if (s.last === null || s.last === undefined) return { version: STATE_VERSION, alarmType, boot, last: null };
    const last = storedDetails(s.last);
    return last ? copy({ version: STATE_VERSION, alarmType, boot, last }) : undefined;
  } catch {
    return undefined; // cannot be copied (too deep): damaged
  }
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
  // Every request under way listens on it (up to MAX_CONCURRENCY of them, and the list page):
  // not a leak, so no MaxListenersExceededWarning in the user's log. Raised
  // only once reads pile up: an idle poll reads none, and this call costs.
  let raised = false;
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
      if (!raised && running.size >= 4) {
        raised = true;
        setMaxListeners(limit + 8, signal);
      }
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

function positiveInteger(v: unknown, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= max) return v;
  throw new MediantInputError(name, `an integer from 1 to ${max}`, v, 'poll alarms');
}

/** A detail read's outcome: the details and their size, gone (404), or skipped with a problem. */
type Read = { details: AlarmDetails; size: number } | { gone: true } | { problem: MediantError };

export class AlarmSync {
  readonly alarmType: AlarmType;
  private readonly api: MediantApi;
  private readonly concurrency: number;
  private readonly pageLimit: number;
  private readonly maxPages: number;
  private readonly maxAlarms: number;
  private readonly maxBytes: number;
  private readonly emitExisting: boolean;
  private readonly device: string;
  private readonly operation: string;
  private current: AlarmSyncState | undefined;
  /** active: what `current` holds, by id, with epochs and sizes. */
  private known = new Map<string, Known>();
  /** Compare the details of known active alarms on the next poll (after a restart or a failed poll). */
  private verifyNext: boolean;
  private polling = false;
  /** Problems reported in the last poll, by key: each is reported again only after a poll without it. */
  private noted = new Set<string>();

  /**
   * @param state what a previous poll returned (e.g. from the node's
   *   context); anything else (undefined, another alarm type, damaged) means
   *   starting afresh, as on the very first poll. See `usableState`.
   */
  constructor(api: MediantApi, alarmType: AlarmType, options: AlarmSyncOptions = {}, state?: unknown) {
    if (alarmType !== 'active' && alarmType !== 'history') {
      throw new MediantInputError('alarmType', 'one of active, history', alarmType, 'poll alarms');
    }
    this.api = api;
    this.alarmType = alarmType;
    this.operation = `poll ${alarmType} alarms`;
    this.concurrency = positiveInteger(options.concurrency, 'concurrency', DEFAULT_CONCURRENCY, MAX_CONCURRENCY);
    this.pageLimit = options.pageLimit ?? DEFAULT_PAGE_LIMIT;
    this.maxPages = positiveInteger(options.maxPages, 'maxPages', DEFAULT_ALARM_LIMITS.maxPages);
    this.maxAlarms = positiveInteger(options.maxAlarms, 'maxAlarms', DEFAULT_ALARM_LIMITS.maxAlarms);
    this.maxBytes = positiveInteger(options.maxBytes, 'maxBytes', DEFAULT_ALARM_LIMITS.maxBytes);
    this.emitExisting = options.emitExisting ?? true;
    this.device = typeof options.device === 'string' ? options.device : '';
    this.current = usableState(state, alarmType);
    if (this.current?.alarms) {
      const boots = this.current.boots ?? [];
      this.current.alarms.forEach((a, i) => this.known.set(a.id, { details: a, boot: boots[i] ?? 0, size: jsonSize(a) }));
    }
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
   * One poll. Rejects with a MediantError (never anything else) when a read
   * fails or a limit is passed; the state is then unchanged. Polls must not
   * overlap: a second call while one runs is refused.
   */
  async poll(signal?: AbortSignal): Promise<PollResult> {
    if (this.polling) throw new MediantBusyError('poll alarms', 'a poll of these alarms is already under way');
    this.polling = true;
    const problems = new Map<string, MediantError>();
    try {
      const result = this.alarmType === 'active' ? await this.pollActive(problems, signal) : await this.pollHistory(problems, signal);
      const changed = result.first || result.events.length > 0 || !this.sameAsCurrent(result.state);
      // Everything the caller gets is built before anything is committed: a
      // failure here leaves the engine as it was, and the next poll does it again.
      // The caller gets copies, each its own: a flow changing msg.payload must
      // change neither what we remember nor the state the caller stores.
      // Copies of the whole list are made only when asked for: at 1,000
      // devices, copying every idle poll's state was a measurable share of CPU.
      const events = copy(result.events);
      const fresh = [...problems.entries()].filter(([k]) => !this.noted.has(k)).map(([, e]) => e);
      this.current = result.state;
      if (result.known) this.known = result.known;
      this.verifyNext = false;
      this.noted = new Set(problems.keys());
      const { current, state } = result;
      return {
        events,
        get current() {
          return copy(current);
        },
        count: current.length,
        get state() {
          return copy(state);
        },
        changed,
        first: result.first,
        problems: fresh,
      };
    } catch (err) {
      this.verifyNext = true;
      throw isMediantError(err) ? err : new MediantResponseError(this.operation, err instanceof Error ? err.message : 'unexpected failure');
    } finally {
      this.polling = false;
    }
  }

  /** Whether a state says the same as the current one (by identity first: an idle poll keeps the very same objects). */
  private sameAsCurrent(b: AlarmSyncState): boolean {
    const a = this.current;
    if (!a || a.boot !== b.boot) return false;
    if (a.alarmType === 'history') {
      const x = a.last ?? null;
      const y = b.last ?? null;
      return x === y || (x !== null && y !== null && sameAlarm(x, y));
    }
    const x = a.alarms ?? [];
    const y = b.alarms ?? [];
    const xb = a.boots ?? [];
    const yb = b.boots ?? [];
    return x.length === y.length && x.every((v, i) => (v === y[i] || sameAlarm(v, y[i] as AlarmDetails)) && xb[i] === yb[i]);
  }

  private tooMany(): MediantResponseError {
    return new MediantResponseError(this.operation, `the device listed more than ${this.maxAlarms} alarms in one poll (limit maxAlarms); stopped there`);
  }

  private tooBig(what: string): MediantResponseError {
    return new MediantResponseError(this.operation, `${what} came to more than ${formatBytes(this.maxBytes)} (limit maxBytes); stopped there`);
  }

  /**
   * Every usable entry of the list, following `after`, as it arrives: an id
   * listed twice (pages shifting) counts once; an entry without a usable id
   * is noted in `problems` and skipped. Each is also pushed onto `into`.
   */
  private async *list(after: string | undefined, into: Listed[], problems: Map<string, MediantError>, signal?: AbortSignal): AsyncGenerator<Listed> {
    const seen = new Set<string>();
    const opts: { after?: string; limit: number; maxPages: number; signal?: AbortSignal } = { limit: this.pageLimit, maxPages: this.maxPages };
    if (after !== undefined) opts.after = after;
    if (signal) opts.signal = signal;
    let entries = 0;
    for await (const s of this.api.iterateAlarms(this.alarmType, opts) as AsyncIterable<unknown>) {
      if (++entries > this.maxAlarms) throw this.tooMany();
      const raw = s !== null && typeof s === 'object' ? (s as Partial<AlarmSummary>).id : undefined;
      const id = idOf(raw);
      if (id === undefined) {
        const key = `id:${fieldText(raw).slice(0, 64)}`;
        if (!problems.has(key)) {
          const what = s === null || typeof s !== 'object' || Array.isArray(s) ? `an entry that is not an object (${describeValue(s)})` : `an alarm whose id is not an alarm id (${describeValue(raw)})`;
          problems.set(key, new MediantResponseError(this.operation, `the device listed ${what}; skipped it`));
        }
        continue;
      }
      if (seen.has(id)) continue;
      seen.add(id);
      const item: Listed = { id, description: fieldText((s as Partial<AlarmSummary>).description) };
      into.push(item);
      yield item;
    }
  }

  /** The whole list, before anything else is done with it. */
  private async listAll(after: string | undefined, problems: Map<string, MediantError>, signal?: AbortSignal): Promise<Listed[]> {
    const out: Listed[] = [];
    for await (const _ of this.list(after, out, problems, signal));
    return out;
  }

  /**
   * One alarm's details, normalised (its id the listed one, as a string) and
   * sized. 404 with `missingOk`: gone. A malformed answer, or details that
   * cannot be copied: a problem, the entry skipped. Anything else rejects.
   */
  private async detail(id: string, missingOk: boolean, signal: AbortSignal): Promise<Read> {
    let body: unknown;
    try {
      // By type and id, not by the listed `url`: the document's history
      // example lists `/alarms/active/<id>` urls for history entries, a
      // typo beside section 7.2.1's `/alarms/history/<id>`.
      body = (await this.api.getAlarm(this.alarmType, id, signal)).body;
    } catch (err) {
      if (missingOk && isNotFound(err)) return { gone: true };
      if (isMediantError(err) && err.code === 'ERESPONSE' && !signal.aborted) return { problem: this.skipped(id, err.message) };
      throw err;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return { problem: this.skipped(id, 'its details are not an object') };
    const details = { ...(body as AlarmDetails), id };
    let size: number;
    try {
      size = JSON.stringify(details).length;
      structuredClone(details); // so that the copies made for the caller cannot fail later
    } catch {
      return { problem: this.skipped(id, 'its details cannot be copied (nested too deep)') };
    }
    return { details, size };
  }

  private skipped(id: string, why: string): MediantError {
    return new MediantResponseError(this.operation, `alarm ${id}: ${why}; skipped it until the device answers it properly`);
  }

  private async pollActive(problems: Map<string, MediantError>, signal?: AbortSignal): Promise<Outcome> {
    const first = this.current === undefined;
    const known = this.known;
    const verify = this.verifyNext;
    const listed: Listed[] = [];
    // The ids whose details are needed: new, renamed, or all when verifying.
    // They are read while the following list pages are still coming.
    const toRead = async function* (this: AlarmSync, sig: AbortSignal): AsyncGenerator<string> {
      for await (const s of this.list(undefined, listed, problems, sig)) {
        const k = known.get(s.id);
        if (!k || verify || fieldText(k.details.description) !== s.description) yield s.id;
      }
    }.bind(this);
    let bytes = 0;
    const read = await mapLimit(
      toRead,
      this.concurrency,
      async (id, s) => {
        const r = await this.detail(id, true, s);
        if ('size' in r && (bytes += r.size) > this.maxBytes) throw this.tooBig('the alarm details read in one poll');
        return [id, r] as const;
      },
      signal,
    );
    const fresh = new Map<string, Read>(read);

    // A known id that now names another alarm: the device numbers afresh (a reboot).
    let boot = this.current?.boot ?? 0;
    for (const [id, r] of fresh) {
      const k = known.get(id);
      if (k && 'details' in r && !sameAlarm(k.details, r.details)) {
        boot++;
        break;
      }
    }

    const next = new Map<string, Known>();
    const raised: Known[] = [];
    let total = 0;
    for (const s of listed) {
      const k = known.get(s.id);
      const r = fresh.get(s.id);
      let now: Known | undefined;
      if (!r) now = k; // known, same description, nothing to verify: the same alarm
      else if ('problem' in r) {
        problems.set(`detail:${s.id}`, r.problem);
        now = k; // a known alarm stays as it was; a new one is read again next poll
      } else if ('details' in r) {
        if (k && sameAlarm(k.details, r.details)) now = k;
        else {
          now = { details: r.details, boot, size: r.size };
          raised.push(now);
        }
      } // else: gone between the list and the detail read
      if (now) {
        next.set(s.id, now);
        total += now.size;
      }
    }
    if (total > this.maxBytes) throw this.tooBig('the details of the active alarms');
    const kept = new Set(next.values());
    const cleared = [...known.values()].filter((k) => !kept.has(k));

    const reportNow = !first || this.emitExisting;
    const event = (kind: 'raised' | 'cleared', k: Known): AlarmEvent => ({ event: kind, alarm: k.details, eventId: eventIdOf(this.device, k.boot, kind, k.details), boot: k.boot });
    const events: AlarmEvent[] = reportNow ? [...cleared.map((k) => event('cleared', k)), ...raised.map((k) => event('raised', k))] : [];
    const list = [...next.values()];
    const alarms = list.map((k) => k.details);
    return {
      events,
      current: alarms,
      state: { version: STATE_VERSION, alarmType: 'active', boot, alarms, boots: list.map((k) => k.boot) },
      known: next,
      first,
    };
  }

  private async pollHistory(problems: Map<string, MediantError>, signal?: AbortSignal): Promise<Outcome> {
    const first = this.current === undefined;
    const last = this.current?.last ?? null;
    let boot = this.current?.boot ?? 0;

    // Is the last entry we saw still there, unchanged? Then only what follows it is new.
    let after: string | undefined;
    if (last) {
      const [now] = await mapLimit(() => [last.id], 1, (id, s) => this.detail(id, true, s), signal);
      if (now && 'details' in now && sameAlarm(now.details, last)) after = last.id;
      else if (now && 'problem' in now) throw now.problem; // cannot tell where the history stands
    }
    const listed = (await this.listAll(after, problems, signal)).filter((s) => after === undefined || s.id !== after);
    if (after === undefined && last && listed.some((s) => BigInt(s.id) <= BigInt(last.id))) boot++; // numbered afresh: a reboot

    const reportNow = !first || this.emitExisting;
    // Reporting nothing on a first poll, only the newest entry's details are needed (to recognise it later).
    const wanted = reportNow ? listed : listed.slice(-1);
    let bytes = 0;
    const read = await mapLimit(
      () => wanted.map((s) => s.id),
      this.concurrency,
      async (id, s) => {
        const r = await this.detail(id, false, s);
        if ('size' in r && (bytes += r.size) > this.maxBytes) throw this.tooBig('the history entries read in one poll');
        return [id, r] as const;
      },
      signal,
    );
    const entries: AlarmDetails[] = [];
    for (const [id, r] of read) {
      if ('details' in r) entries.push(r.details);
      else if ('problem' in r) problems.set(`detail:${id}`, r.problem);
    }
    const newLast = entries.length > 0 ? entries[entries.length - 1] : listed.length > 0 ? last : after !== undefined ? last : null;
    const fresh = reportNow ? entries : [];
    return {
      events: fresh.map((alarm) => ({ event: 'history' as const, alarm, eventId: eventIdOf(this.device, boot, 'history', alarm), boot })),
      current: fresh,
      state: { version: STATE_VERSION, alarmType: 'history', boot, last: newLast ?? null },
      first,
    };
  }
}

function jsonSize(v: unknown): number {
  try {
    return JSON.stringify(v).length;
  } catch {
    return 0;
  }
}

