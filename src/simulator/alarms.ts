/**
 * An alarm list ordered by numeric id. Ids are handed out increasing (from 1
 * after every boot), so appending keeps the order and a cursor is found by
 * binary search: a page costs O(log n + limit), even with 10,000 alarms.
 * Lists that share one counter (7.x: one sequence for active and history
 * entries) each see ids with gaps.
 */
import type { SimAlarm } from './types';

interface Stored {
  n: number;
  alarm: SimAlarm;
}

export interface AlarmPage {
  alarms: SimAlarm[];
  cursor: { after: string; before: string };
  /** The first and last id of the whole list (7.x cursors carry them as `start` and `end`). */
  start: string;
  end: string;
}

/** Where ids come from: the next one to hand out. */
export interface IdCounter {
  next: number;
}

export class AlarmList {
  private items: Stored[] = [];

  /**
   * @param max keep at most this many (oldest dropped, in batches).
   * @param ids the id counter, this list's own unless shared with another list.
   */
  constructor(
    private readonly max = Infinity,
    private readonly ids: IdCounter = { next: 1 },
  ) {}

  get size(): number {
    return this.items.length;
  }

  /** Add an alarm, giving it the next id. */
  add(a: Omit<SimAlarm, 'id'>): SimAlarm {
    const n = this.ids.next++;
    const alarm: SimAlarm = { id: String(n), ...a };
    this.items.push({ n, alarm });
    if (this.items.length > this.max) {
      // drop a batch so that trimming is amortised O(1)
      this.items.splice(0, this.items.length - this.max + Math.ceil(this.max / 10));
    }
    return alarm;
  }

  /** Index of the first stored id >= n. */
  private lowerBound(n: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid].n < n) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(id: string): SimAlarm | undefined {
    if (!/^[0-9]{1,15}$/.test(id)) return undefined;
    const n = Number(id);
    const i = this.lowerBound(n);
    return i < this.items.length && this.items[i].n === n ? this.items[i].alarm : undefined;
  }

  remove(id: string): SimAlarm | undefined {
    if (!/^[0-9]{1,15}$/.test(id)) return undefined;
    const n = Number(id);
    const i = this.lowerBound(n);
    if (i < this.items.length && this.items[i].n === n) return this.items.splice(i, 1)[0].alarm;
    return undefined;
  }

  /** Remove everything; ids start again from 1 (a reboot). */
  reset(): SimAlarm[] {
    const old = this.items.map((s) => s.alarm);
    this.items = [];
    this.ids.next = 1;
    return old;
  }

  all(): SimAlarm[] {
    return this.items.map((s) => s.alarm);
  }

  /**
   * One page: alarms after `after` (exclusive, ascending), or the `limit`
   * alarms just before `before` (exclusive), or the first `limit`. The
   * cursor's `after` is the last id of the page when more exist after it, else
   * "-1"; `before` is the first id when more exist before it, else "-1".
   * Returns null when the page is empty (the device answers 204).
   */
  page(limit: number, after?: number, before?: number): AlarmPage | null {
    let start: number;
    let end: number;
    if (before !== undefined) {
      end = this.lowerBound(before);
      start = Math.max(0, end - limit);
    } else {
      start = after !== undefined ? this.lowerBound(after + 1) : 0;
      end = Math.min(this.items.length, start + limit);
    }
    if (end <= start) return null;
    const slice = this.items.slice(start, end);
    return {
      alarms: slice.map((s) => s.alarm),
      cursor: {
        after: end < this.items.length ? String(slice[slice.length - 1].n) : '-1',
        before: start > 0 ? String(slice[0].n) : '-1',
      },
      start: String(this.items[0].n),
      end: String(this.items[this.items.length - 1].n),
    };
  }
}
