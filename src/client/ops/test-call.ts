/**
 * The SIP test call of firmware 7.40A.600 and later (/api/v1/sipTestCall):
 * dial, status, show, drop, and a whole call run to its final status.
 *
 * Shapes are made regular before a caller sees them: `sessionId` is a string
 * of digits whatever JSON type the device sent; `callStatus` must be a
 * string; `callId` and `releaseCause` are strings (a number is turned into
 * one, anything else left out). The full list of statuses is not documented
 * ([?] in the 7.x notes): a status is final when it says `Disconnected` or
 * `Failed…`, or carries a release cause; anything else is still under way,
 * and runTestCall's own deadline ends a call whose status never comes to an
 * end.
 */
import { MediantAbortError, MediantInputError, MediantResponseError } from '../errors';
import { checkSignal, sleep, type Transport } from '../transport';
import { checkInteger, checkSessionId, checkTestCallDial } from '../validate';
import type { ApiResponse, DescriptionBody, TestCallConfig, TestCallDial, TestCallResult, TestCallRunOptions, TestCallSession, TestCallStatus } from '../types';

/** What the device releases a call at when the dial gives no timeout (its /show default). */
const DEVICE_DEFAULT_TIMEOUT_S = 20;
/** How long past the call's own timeout runTestCall waits for the device to release it. */
const RELEASE_GRACE_MS = 10_000;
const DEFAULT_POLL_MS = 1000;

function sessionQuery(sessionId: unknown, operation: string): string {
  return `?sessionId=${checkSessionId(sessionId, 'sessionId', operation)}`;
}

export function dialTestCall(t: Transport, dial: TestCallDial, signal?: AbortSignal): Promise<ApiResponse<TestCallSession>> {
  const operation = 'dial test call';
  return t.guard(operation, async () => {
    const body = JSON.stringify(checkTestCallDial(dial, operation));
    const res = await t.perform<Record<string, unknown>>({ operation, method: 'POST', path: '/api/v1/sipTestCall/dial', headers: t.h.sendJson, body, expect: 'json', empty: 'object', signal: checkSignal(signal, operation) });
    const id = res.body.sessionId;
    const sessionId = typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? String(id) : typeof id === 'string' && /^[0-9]{1,20}$/.test(id) ? id : undefined;
    if (sessionId === undefined) throw new MediantResponseError(operation, 'the device did not send a session id of digits');
    return { ...res, body: { ...res.body, sessionId } };
  });
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function getTestCallStatus(t: Transport, sessionId: string, signal?: AbortSignal): Promise<ApiResponse<TestCallStatus>> {
  const operation = 'read test call status';
  return t.guard(operation, async () => {
    const qs = sessionQuery(sessionId, operation);
    const res = await t.perform<Record<string, unknown>>({ operation, method: 'GET', path: `/api/v1/sipTestCall/getStatus${qs}`, headers: t.h.getJson, expect: 'json', empty: 'object', signal: checkSignal(signal, operation) });
    const b = res.body;
    if (typeof b.callStatus !== 'string') throw new MediantResponseError(operation, 'test call status without a "callStatus" text');
    for (const k of ['callId', 'releaseCause'] as const) {
      const v = text(b[k]);
      if (v === undefined) delete b[k];
      else b[k] = v;
    }
    for (const k of ['localStats', 'remoteStats'] as const) {
      if (b[k] !== undefined && (b[k] === null || typeof b[k] !== 'object' || Array.isArray(b[k]))) delete b[k];
    }
    return res as ApiResponse<TestCallStatus>;
  });
}

export function showTestCall(t: Transport, sessionId?: string, signal?: AbortSignal): Promise<ApiResponse<TestCallConfig>> {
  const operation = 'show test call';
  return t.guard(operation, () => {
    const qs = sessionId === undefined || sessionId === null ? '' : sessionQuery(sessionId, operation);
    return t.perform<TestCallConfig>({ operation, method: 'GET', path: `/api/v1/sipTestCall/show${qs}`, headers: t.h.getJson, expect: 'json', empty: 'object', signal: checkSignal(signal, operation) });
  });
}

export function dropTestCall(t: Transport, sessionId: string, signal?: AbortSignal): Promise<ApiResponse<DescriptionBody>> {
  const operation = 'drop test call';
  return t.guard(operation, () => {
    const qs = sessionQuery(sessionId, operation);
    return t.perform<DescriptionBody>({ operation, method: 'DELETE', path: `/api/v1/sipTestCall/drop${qs}`, headers: t.h.getJson, expect: 'json', empty: 'object', signal: checkSignal(signal, operation) });
  });
}

/** The call has ended: `Disconnected`, `Failed…`, or any status with a release cause. */
export function isFinalTestCallStatus(s: unknown): boolean {
  if (s === null || typeof s !== 'object') return false;
  const o = s as Record<string, unknown>;
  const status = typeof o.callStatus === 'string' ? o.callStatus.trim().toLowerCase() : '';
  if (status.startsWith('disconnected') || status.startsWith('failed')) return true;
  return typeof o.releaseCause === 'string' && o.releaseCause.trim() !== '';
}

function connectedNow(s: TestCallStatus): boolean {
  return s.callStatus.trim().toLowerCase() === 'connected';
}

/** A call that ended with media statistics was answered. */
function hasStats(s: TestCallStatus): boolean {
  return s.localStats !== undefined || s.remoteStats !== undefined;
}

interface RunOptions {
  pollMs: number;
  maxWaitMs?: number;
  signal?: AbortSignal;
  onStatus?: (s: TestCallStatus) => void;
  onDial?: (sessionId: string) => void;
}

function checkRunOptions(opts: unknown, operation: string): RunOptions {
  if (opts === undefined || opts === null) return { pollMs: DEFAULT_POLL_MS };
  if (typeof opts !== 'object') throw new MediantInputError('options', 'an object', opts, operation);
  const o = opts as TestCallRunOptions;
  const out: RunOptions = {
    pollMs: o.pollIntervalMs === undefined ? DEFAULT_POLL_MS : checkInteger(o.pollIntervalMs, 'pollIntervalMs', 100, 60_000, operation),
  };
  if (o.maxWaitMs !== undefined) out.maxWaitMs = checkInteger(o.maxWaitMs, 'maxWaitMs', 1, 2 ** 31 - 1, operation);
  const signal = checkSignal(o.signal, operation);
  if (signal) out.signal = signal;
  if (o.onStatus !== undefined) {
    if (typeof o.onStatus !== 'function') throw new MediantInputError('onStatus', 'a function', o.onStatus, operation);
    out.onStatus = o.onStatus;
  }
  if (o.onDial !== undefined) {
    if (typeof o.onDial !== 'function') throw new MediantInputError('onDial', 'a function', o.onDial, operation);
    out.onDial = o.onDial;
  }
  return out;
}

/**
 * Dials, then reads the status every `pollIntervalMs` until it is final.
 * The wait is bounded: by `maxWaitMs`, else by the call's own timeout (the
 * dial's, or the device's default read from /show) plus a grace for the
 * device to release it; when it runs out the call is dropped and its status
 * after the drop is the result (`dropped: true`). When the caller aborts, or
 * a read fails, while the call may still be up, it is dropped (best effort)
 * and the error goes to the caller.
 */
export function runTestCall(t: Transport, dial: TestCallDial, opts?: TestCallRunOptions): Promise<ApiResponse<TestCallResult>> {
  const operation = 'test call';
  return t.guard(operation, async () => {
    const d = checkTestCallDial(dial, operation);
    const o = checkRunOptions(opts, operation);
    const dialled = await dialTestCall(t, d, o.signal);
    const sessionId = dialled.body.sessionId;
    let ended = false;
    try {
      if (o.onDial) {
        try {
          o.onDial(sessionId);
        } catch {
          // the caller's callback is not the call's business
        }
      }
      let waitMs = o.maxWaitMs;
      if (waitMs === undefined) {
        let timeoutS = d.timeout;
        if (timeoutS === undefined) {
          // the device's own default, where it says; 20 s (its documented default) where it does not
          const shown = await showTestCall(t, sessionId, o.signal).catch((e: unknown) => {
            if (e instanceof MediantAbortError) throw e;
            return undefined;
          });
          const s = shown?.body.timeout;
          timeoutS = typeof s === 'number' && Number.isSafeInteger(s) && s > 0 && s <= 86_400 ? s : DEVICE_DEFAULT_TIMEOUT_S;
        }
        waitMs = timeoutS * 1000 + RELEASE_GRACE_MS;
      }
      const until = Date.now() + waitMs;
      let connected = false;
      for (;;) {
        const st = await getTestCallStatus(t, sessionId, o.signal);
        if (o.onStatus) {
          try {
            o.onStatus(st.body);
          } catch {
            // the caller's progress callback is not the call's business
          }
        }
        if (connectedNow(st.body)) connected = true;
        if (isFinalTestCallStatus(st.body)) {
          ended = true;
          return { ...st, body: { sessionId, connected: connected || hasStats(st.body), status: st.body, dropped: false } };
        }
        const left = until - Date.now();
        if (left <= 0) {
          ended = true;
          await dropTestCall(t, sessionId, o.signal);
          const after = await getTestCallStatus(t, sessionId, o.signal).catch((e: unknown) => {
            if (e instanceof MediantAbortError) throw e;
            return st;
          });
          return { ...after, body: { sessionId, connected: connected || hasStats(after.body), status: after.body, dropped: true } };
        }
        await sleep(Math.min(o.pollMs, left), o.signal, operation);
      }
    } catch (e) {
      // aborted (the node closed, the message's deadline passed) or a read failed: the call must not stay up
      if (!ended) void dropTestCall(t, sessionId).catch(() => undefined);
      throw e;
    }
  });
}
