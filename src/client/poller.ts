/**
 * Poller: the one timer of every polling unit (an AlarmWatch, a PM or KPI
 * read on a timer), for ONE device. It knows nothing of Node-RED or of what
 * a poll does: it runs `run` on its timer and when asked, and turns the
 * outcome into statuses, reports and the next wait.
 *
 * - One run at a time: the next is scheduled when the previous has ended (a
 *   setTimeout chain, never setInterval), so runs never overlap; requests
 *   that arrive during a run share the next one.
 * - A delayed first run (`firstPollMs`), so that a node over many devices can
 *   spread its first polls over the interval.
 * - Backoff while the device is unreachable (network failure or timeout):
 *   the wait doubles from the interval up to `maxBackoffMs` (5 min, or the
 *   interval when longer), and the status says when the next try is. Only
 *   the timer's own runs count: a requested run that finds the device
 *   unreachable tells its requester and leaves the timer's next try where
 *   it was (so messages during an outage do not push the timer back). A
 *   timer run's failure is reported once per outage (again only when the
 *   error changes, or after a success), or every time with `reportEach`; a
 *   requested run's failure always reaches its requester through `settle`.
 * - `standby`: the run did not poll because another instance holds the
 *   device (a lease); tried again after `retryMs` (or the interval, when shorter).
 */
import { MediantError, MediantResponseError, isMediantError } from './errors';

export type PollPhase = 'starting' | 'polling' | 'ok' | 'unreachable' | 'error' | 'standby';

export interface PollStatus {
  phase: PollPhase;
  /** ok: what the run counted (current alarms, new entries, values read). */
  count?: number;
  /** unreachable / standby: when the next try is, ms. */
  retryMs?: number;
  error?: MediantError;
  /** standby: who holds the device. */
  holder?: string;
}

/** What a run says it did. */
export type RunOutcome =
  | { kind: 'ok'; count: number }
  /** Not polled: another instance holds the device; `error` when that could not even be found out. */
  | { kind: 'standby'; retryMs: number; holder?: string; error?: MediantError };

export interface PollerHooks<T> {
  /** One poll; throws a MediantError when it failed. */
  run(inputs: readonly T[], signal: AbortSignal): Promise<RunOutcome>;
  /** The run that served these inputs is over; `err` when it failed. */
  settle(inputs: readonly T[], err?: MediantError): void;
  status(s: PollStatus): void;
  /** An error for the user: a timer run's failure (once per outage), a standby's coordination failure. */
  report(err: MediantError): void;
  /** Polls work again after a failure. */
  resumed?(): void;
  /** A run found the device unreachable (before the backoff). */
  unreachable?(err: MediantError): void;
}

export interface PollerOptions<T> {
  /** ms between runs; 0 = only on request(). */
  pollMs: number;
  /** ms before the first run. Default 100. */
  firstPollMs?: number;
  /** Longest backoff while unreachable, ms (or pollMs when longer). Default 5 min. */
  maxBackoffMs?: number;
  /** What a run is, for an error that is no MediantError: `poll active alarms`. */
  operation: string;
  /** Report every failed timer run, not once per outage (a node whose every read is a message). */
  reportEach?: boolean;
  hooks: PollerHooks<T>;
}

export const DEFAULT_MAX_BACKOFF_MS = 5 * 60 * 1000;
const DEFAULT_FIRST_POLL_MS = 100;

/** The device (not a coordinator) did not answer. */
export function isUnreachable(err: MediantError): boolean {
  return (err.code === 'ENETWORK' || err.code === 'ETIMEOUT') && err.operation !== 'coordinate';
}

export function asMediantError(err: unknown, operation: string): MediantError {
  return isMediantError(err) ? err : new MediantResponseError(operation, err instanceof Error ? err.message : 'unexpected failure');
}

/** The wait after the `outage`-th failed run in a row while unreachable: doubling from the interval, capped. */
export function backoffMs(pollMs: number, outage: number, maxBackoffMs = DEFAULT_MAX_BACKOFF_MS): number {
  return Math.min(pollMs * 2 ** Math.min(outage, 30), Math.max(maxBackoffMs, pollMs));
}

export class Poller<T = unknown> {
  private readonly o: PollerOptions<T>;
  private readonly hooks: PollerHooks<T>;
  private closed = false;
  private started = false;
  private timer: NodeJS.Timeout | undefined;
  /** When the pending timer run is due (Date.now() ms). */
  private dueAt: number | undefined;
  private running: AbortController | undefined;
  private waiting: T[] = [];
  private outage = 0;
  private reported: string | undefined;
  private last: PollStatus | undefined;

  constructor(options: PollerOptions<T>) {
    this.o = options;
    this.hooks = options.hooks;
  }

  /** Starts the timer (the first run after firstPollMs), or runs at once for requests made before. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.status({ phase: 'starting' });
    if (this.waiting.length > 0) this.kick();
    else if (this.o.pollMs > 0) this.schedule(this.o.firstPollMs ?? DEFAULT_FIRST_POLL_MS);
  }

  /** A run for this input now (or right after the one under way); `settle` is called when it is over. */
  request(input: T): void {
    if (this.closed) {
      this.hooks.settle([input]);
      return;
    }
    this.waiting.push(input);
    if (this.started && !this.running) this.kick();
  }

  /** What the status showed last. */
  get lastShown(): PollStatus | undefined {
    return this.last;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Stops the timer and abandons a run under way; waiting inputs are settled. */
  stop(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running?.abort();
    const inputs = this.waiting;
    this.waiting = [];
    if (inputs.length > 0) this.hooks.settle(inputs);
  }

  private status(s: PollStatus): void {
    this.last = s;
    this.hooks.status(s);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dueAt = undefined;
      this.kick();
    }, ms);
  }

  private kick(): void {
    if (this.closed || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // A requested run in place of the timer's: when the timer was due, should the device stay unreachable.
    const timerDue = this.dueAt;
    this.dueAt = undefined;
    const inputs = this.waiting;
    this.waiting = [];
    const ac = new AbortController();
    this.running = ac;
    // Whatever happens in a run, the next one is scheduled: the timer never stops.
    this.turn(inputs, ac.signal, timerDue)
      .catch((err: unknown) => this.hooks.report(asMediantError(err, this.o.operation)))
      .finally(() => {
        if (this.running === ac) this.running = undefined;
        if (this.closed) return;
        if (this.waiting.length > 0) this.kick();
        // A safety net: whatever a hook threw on the way, the timer goes on.
        else if (!this.timer && this.o.pollMs > 0) this.schedule(this.o.pollMs);
      });
  }

  private async turn(inputs: T[], signal: AbortSignal, timerDue: number | undefined): Promise<void> {
    let outcome: RunOutcome | MediantError;
    try {
      if (inputs.length > 0) this.status({ phase: 'polling' });
      outcome = await this.hooks.run(inputs, signal);
    } catch (err) {
      outcome = asMediantError(err, this.o.operation);
    }
    if (signal.aborted) {
      this.hooks.settle(inputs); // closing: the flow that sent these is gone
      return;
    }
    const pollMs = this.o.pollMs;
    if (!(outcome instanceof MediantError) && outcome.kind === 'standby') {
      const leaseError = outcome.error;
      this.hooks.settle(inputs, leaseError);
      if (leaseError) {
        if (leaseError.message !== this.reported) this.hooks.report(leaseError);
        this.reported = leaseError.message;
        this.status({ phase: 'error', error: leaseError });
      } else {
        this.status({ phase: 'standby', retryMs: outcome.retryMs, ...(outcome.holder ? { holder: outcome.holder } : {}) });
      }
      // A standby tries again soon enough to take over within a poll interval plus the lease time.
      if (pollMs > 0) this.schedule(Math.min(pollMs, outcome.retryMs));
      return;
    }
    if (!(outcome instanceof MediantError)) {
      this.hooks.settle(inputs);
      if (this.outage > 0 || this.reported !== undefined) this.hooks.resumed?.();
      this.outage = 0;
      this.reported = undefined;
      this.status({ phase: 'ok', count: outcome.count });
      if (pollMs > 0) this.schedule(pollMs);
      return;
    }
    const error = outcome;
    this.hooks.settle(inputs, error);
    // Once per outage: again only when the error changes (any unreachable one is the same outage) or after a success.
    const key = isUnreachable(error) ? 'unreachable' : error.message;
    if (inputs.length === 0 && (key !== this.reported || this.o.reportEach)) this.hooks.report(error);
    this.reported = key;
    if (isUnreachable(error)) {
      this.hooks.unreachable?.(error);
      // A requested run during an outage: the timer keeps its own count and its next try.
      const requested = inputs.length > 0 && this.outage > 0;
      if (!requested) this.outage++;
      if (pollMs > 0) {
        const delay = requested && timerDue !== undefined ? Math.max(0, timerDue - Date.now()) : backoffMs(pollMs, this.outage, this.o.maxBackoffMs);
        this.status({ phase: 'unreachable', retryMs: delay, error });
        this.schedule(delay);
        return;
      }
    } else {
      this.outage = 0;
    }
    this.status({ phase: 'error', error });
    if (pollMs > 0) this.schedule(pollMs);
  }
}
