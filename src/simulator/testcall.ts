/**
 * The 7.4 SIP test call: POST /sipTestCall/dial, GET /getStatus, GET /show,
 * DELETE /drop (vendor 7.4 pages, [V] in ../shared/mediant-7x-notes.md).
 *
 * A call's state is a function of the clock (no timer runs): it is dialled,
 * then, after the destination's delay, connected or released; a connected
 * call lasts until it is dropped or its `timeout` (seconds from the dial)
 * expires; its result is kept for `keepResultTimeout` seconds after it ended.
 *
 * Destinations: each IP group answers, unless an active alarm names it (or
 * its proxy set or trunk: see topology.ts), then it is unreachable. Any other
 * destination is one the simulated network does not know: nothing answers
 * the INVITE, and the device releases the call when its SIP transaction
 * times out (32 s, Timer B) or the call's timeout comes first. The control
 * API sets what a destination does (`setTestCallDestination`).
 *
 * Unknown in the sources, chosen to fail safe for a client: the in-progress
 * statuses ("Dialing", "Ringing"), the failure statuses (released calls are
 * "Disconnected" with a releaseCause named after the device's CDR
 * termination reasons; no resources is "Failed,NoResources"), the fields of
 * localStats/remoteStats, a dial naming both destAddress and destIpGroup
 * (refused), an unknown IP group (refused at dial, 400).
 */
import { randomInt } from 'node:crypto';
import { HttpError } from './respond';
import { IP_GROUPS, findIpGroup } from './topology';
import type { SimTestCallView } from './types';

export type Outcome = 'answer' | 'busy' | 'noAnswer' | 'reject' | 'unreachable' | 'noResources';
export const OUTCOMES: readonly Outcome[] = ['answer', 'busy', 'noAnswer', 'reject', 'unreachable', 'noResources'];

export interface DestinationBehaviour {
  outcome: Outcome;
  /** When the destination answers (answer), alerts (noAnswer) or releases the call (busy, reject, unreachable), ms after the dial. */
  afterMs: number;
  /** Media quality of an answered call: MOS (1–5) and packet loss (percent). */
  mos: number;
  packetLoss: number;
}

/** Release causes (the device's CDR termination reasons, and the two the vendor's page names). */
export const RELEASE = {
  manual: 'RELEASE_BECAUSE_MANUAL_DISC',
  maxDuration: 'RELEASE_BECAUSE_MAX_DURATION_TIMER_EXPIRED',
  busy: 'RELEASE_BECAUSE_DESTINATION_BUSY',
  noAnswer: 'RELEASE_BECAUSE_NOANSWER',
  reject: 'GWAPP_UNASSIGNED_NUMBER',
  unreachable: 'RELEASE_BECAUSE_DESTINATION_UNREACHABLE',
  noResources: 'RELEASE_BECAUSE_RSRC_PROBLEM',
} as const;

/** SIP transaction timeout (Timer B): how long an INVITE nobody answers takes to fail. */
export const SIP_TIMER_B_MS = 32_000;
/** How long a dial to an IP group that an active alarm takes down takes to fail. */
const DOWN_FAILS_AFTER_MS = 500;
const ANSWER_AFTER_MS = 300;
/** Test calls at the same time; one more gets "Failed,NoResources". */
export const MAX_ACTIVE_CALLS = 5;
/** Results kept at most (oldest ended dropped first). */
const MAX_KEPT_CALLS = 50;
const KEEP_RESULT_S = 720;

interface CallConfig {
  calledNumber: string;
  callingNumber: string;
  destAddress: string;
  outInterface: number;
  transportType: string;
  destIpGroup: string;
  playDtmfString: string;
  playToneIndex: number;
  timeout: number;
  keepResultTimeout: number;
}

/** GET /show without a session: the device's defaults. */
export const SHOW_DEFAULTS: Readonly<CallConfig> = {
  calledNumber: '',
  callingNumber: '',
  destAddress: '',
  outInterface: -1,
  transportType: 'UDP',
  destIpGroup: '',
  playDtmfString: '',
  playToneIndex: 0,
  timeout: 20,
  keepResultTimeout: KEEP_RESULT_S,
};

interface Call {
  sessionId: number;
  callId: string;
  config: CallConfig;
  /** What was dialled, as the state view shows it. */
  destination: string;
  dialAt: number;
  b: DestinationBehaviour;
  droppedAt?: number;
}

interface Phase {
  callStatus: string;
  releaseCause?: string;
  connectedAt?: number;
  /** When the call ended (it is final), else undefined. */
  endedAt?: number;
}


const DIAL_FIELDS = ['calledNumber', 'callingNumber', 'destAddress', 'destIpGroup', 'outInterface', 'playDtmfString', 'playToneIndex', 'timeout', 'transportType'];

const bad = (text: string): HttpError => new HttpError(400, text);

function str(body: Record<string, unknown>, key: string, max: number, required: boolean): string {
  const v = body[key];
  if (v === undefined) {
    if (required) throw bad(`Missing mandatory attribute "${key}"`);
    return '';
  }
  if (typeof v !== 'string' || v.length > max || (required && v.trim() === '')) throw bad(`Invalid value of attribute "${key}": a string of at most ${max} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v)) throw bad(`Invalid value of attribute "${key}": control character`);
  return v;
}

function int(body: Record<string, unknown>, key: string, min: number, max: number, def: number): number {
  const v = body[key];
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(`Invalid value of attribute "${key}": an integer ${min}..${max}`);
  return v;
}

export function checkBehaviour(v: unknown): DestinationBehaviour {
  if (v === null || typeof v !== 'object') throw new TypeError('behaviour must be an object {outcome, afterMs?, mos?, packetLoss?}');
  const o = v as Record<string, unknown>;
  if (!OUTCOMES.includes(o.outcome as Outcome)) throw new TypeError(`outcome must be one of ${OUTCOMES.join(', ')}`);
  const num = (k: string, min: number, max: number, def: number): number => {
    if (o[k] === undefined) return def;
    if (typeof o[k] !== 'number' || !Number.isFinite(o[k]) || (o[k] as number) < min || (o[k] as number) > max) throw new TypeError(`${k} must be a number ${min}..${max}`);
    return o[k] as number;
  };
  return {
    outcome: o.outcome as Outcome,
    afterMs: num('afterMs', 0, 3_600_000, o.outcome === 'unreachable' ? SIP_TIMER_B_MS : ANSWER_AFTER_MS),
    mos: num('mos', 1, 5, 4.3),
    packetLoss: num('packetLoss', 0, 100, 0.1),
  };
}

export class TestCalls {
  private calls = new Map<number, Call>();
  /** Set through the control API: destination key → behaviour. */
  private steering = new Map<string, DestinationBehaviour>();

  /** `destination`: "*" (any destination not named otherwise), an IP group's index or name, or a destAddress. null forgets it. */
  setDestination(destination: string, behaviour: unknown): void {
    if (typeof destination !== 'string' || destination.trim() === '' || destination.length > 100) throw new TypeError('destination must be "*", an IP group index or name, or an address');
    const key = keyOf(destination);
    if (behaviour === null) this.steering.delete(key);
    else this.steering.set(key, checkBehaviour(behaviour));
  }

  resetDestinations(): void {
    this.steering.clear();
  }

  private behaviourFor(key: string, activeSources: ReadonlySet<string>): DestinationBehaviour {
    const set = this.steering.get(key);
    if (set) return set;
    const ipg = key.startsWith('ipg:') ? IP_GROUPS.find((x) => `ipg:${x.id}` === key) : undefined;
    if (ipg) {
      if (ipg.alarmSources.some((s) => activeSources.has(s))) return checkBehaviour({ outcome: 'unreachable', afterMs: DOWN_FAILS_AFTER_MS });
      return checkBehaviour({ outcome: 'answer' });
    }
    return this.steering.get('*') ?? checkBehaviour({ outcome: 'unreachable' });
  }

  /** POST /dial: validate as the device would, place the call. Throws HttpError(400) on bad input. */
  dial(body: Record<string, unknown>, now: number, host: string, activeSources: ReadonlySet<string>): number {
    for (const k of Object.keys(body)) if (!DIAL_FIELDS.includes(k)) throw bad(`Unsupported attribute "${k}"`);
    const calledNumber = str(body, 'calledNumber', 61, true);
    const callingNumber = str(body, 'callingNumber', 61, true);
    const destAddress = str(body, 'destAddress', 50, false);
    const destIpGroup = body.destIpGroup === undefined ? '' : str(body, 'destIpGroup', 50, true);
    if (destAddress.trim() === '' && destIpGroup === '') throw bad('Missing mandatory attribute "destAddress" (or "destIpGroup")');
    if (destAddress !== '' && destIpGroup !== '') throw bad('Use either "destAddress" or "destIpGroup"');
    if (destAddress !== '' && !/^[A-Za-z0-9.:_\-[\]]+$/.test(destAddress)) throw bad('Invalid value of attribute "destAddress": a host, an IP address or host:port');
    if (body.outInterface !== undefined && destAddress === '') throw bad('Attribute "outInterface" goes only with "destAddress"');
    const outInterface = int(body, 'outInterface', -1, 65535, -1);
    const playDtmfString = str(body, 'playDtmfString', 16, false);
    if (!/^[0-9*#A-Da-d]*$/.test(playDtmfString)) throw bad('Invalid value of attribute "playDtmfString": up to 16 DTMF digits');
    const playToneIndex = int(body, 'playToneIndex', -1, 80, 0);
    const timeout = int(body, 'timeout', 1, 86400, SHOW_DEFAULTS.timeout);
    const transportType = body.transportType === undefined ? 'UDP' : body.transportType;
    if (transportType !== 'UDP' && transportType !== 'TCP' && transportType !== 'TLS') throw bad('Invalid value of attribute "transportType": UDP, TCP or TLS');
    let key: string;
    let destination: string;
    if (destIpGroup !== '') {
      const ipg = findIpGroup(destIpGroup);
      if (!ipg) throw bad(`IP Group "${destIpGroup}" does not exist`);
      key = `ipg:${ipg.id}`;
      destination = `IP Group ${ipg.id} (${ipg.name})`;
    } else {
      key = keyOf(destAddress);
      destination = destAddress.trim();
    }
    this.prune(now);
    let b = this.behaviourFor(key, activeSources);
    const active = [...this.calls.values()].filter((c) => phase(c, now).endedAt === undefined).length;
    if (active >= MAX_ACTIVE_CALLS) b = { ...b, outcome: 'noResources' };
    let sessionId: number;
    do sessionId = randomInt(100_000_000, 999_999_999);
    while (this.calls.has(sessionId));
    const call: Call = {
      sessionId,
      callId: `${randomInt(1e9, 9e9)}${randomInt(1e9, 9e9)}@${host}`,
      config: {
        calledNumber,
        callingNumber,
        destAddress,
        outInterface,
        transportType,
        destIpGroup,
        playDtmfString,
        playToneIndex,
        timeout,
        keepResultTimeout: KEEP_RESULT_S,
      },
      destination,
      dialAt: now,
      b,
    };
    this.calls.set(sessionId, call);
    return sessionId;
  }

  /** The call named by a `sessionId` query value, or an HttpError (400 missing, 404 unknown). */
  private find(sessionId: string | null, now: number): Call {
    if (sessionId === null || sessionId.trim() === '') throw bad('Missing session ID');
    this.prune(now);
    const call = /^[0-9]{1,15}$/.test(sessionId) ? this.calls.get(Number(sessionId)) : undefined;
    if (!call) throw new HttpError(404, 'Session ID does not exist');
    return call;
  }

  status(sessionId: string | null, now: number): Record<string, unknown> {
    const call = this.find(sessionId, now);
    const p = phase(call, now);
    const out: Record<string, unknown> = { callStatus: p.callStatus, callId: call.callId };
    if (p.releaseCause) out.releaseCause = p.releaseCause;
    if (p.connectedAt !== undefined) Object.assign(out, stats(call, p, now));
    return out;
  }

  show(sessionId: string | null, now: number): CallConfig {
    if (sessionId === null) return { ...SHOW_DEFAULTS };
    return { ...this.find(sessionId, now).config };
  }

  /** DELETE /drop: an ongoing call is released (RELEASE_BECAUSE_MANUAL_DISC); an ended one stays as it ended. */
  drop(sessionId: string | null, now: number): void {
    const call = this.find(sessionId, now);
    if (phase(call, now).endedAt === undefined) call.droppedAt = now;
  }

  view(now: number): SimTestCallView[] {
    this.prune(now);
    return [...this.calls.values()].map((c) => {
      const p = phase(c, now);
      return {
        sessionId: c.sessionId,
        destination: c.destination,
        callStatus: p.callStatus,
        ...(p.releaseCause ? { releaseCause: p.releaseCause } : {}),
        connected: p.connectedAt !== undefined,
      };
    });
  }

  /** A reboot ends every call (and forgets them). */
  clear(): void {
    this.calls.clear();
  }

  /** Forget results kept longer than their keepResultTimeout; keep at most MAX_KEPT_CALLS. */
  private prune(now: number): void {
    for (const [id, c] of this.calls) {
      const end = phase(c, now).endedAt;
      if (end !== undefined && now - end > c.config.keepResultTimeout * 1000) this.calls.delete(id);
    }
    if (this.calls.size < MAX_KEPT_CALLS) return;
    const ended = [...this.calls.values()].filter((c) => phase(c, now).endedAt !== undefined).sort((a, b) => a.dialAt - b.dialAt);
    for (const c of ended.slice(0, this.calls.size - MAX_KEPT_CALLS + 1)) this.calls.delete(c.sessionId);
  }
}

function keyOf(destination: string): string {
  const d = destination.trim();
  if (d === '*') return '*';
  const ipg = findIpGroup(d);
  return ipg ? `ipg:${ipg.id}` : `addr:${d.toLowerCase()}`;
}

/** Where a call is at `now`. */
function phase(c: Call, now: number): Phase {
  const maxEnd = c.dialAt + c.config.timeout * 1000;
  const dropped = c.droppedAt !== undefined && c.droppedAt < maxEnd;
  const stop = dropped ? (c.droppedAt as number) : maxEnd;
  const at = c.dialAt + c.b.afterMs;
  const ended = (cause: string, endedAt: number, connectedAt?: number): Phase =>
    now < endedAt ? { callStatus: connectedAt !== undefined ? 'Connected' : 'Dialing', connectedAt } : { callStatus: 'Disconnected', releaseCause: cause, endedAt, connectedAt };
  switch (c.b.outcome) {
    case 'noResources':
      return { callStatus: 'Failed,NoResources', releaseCause: RELEASE.noResources, endedAt: c.dialAt };
    case 'answer': {
      if (at >= stop) return ended(dropped ? RELEASE.manual : RELEASE.noAnswer, stop);
      if (now < at) return { callStatus: 'Dialing' };
      return ended(dropped ? RELEASE.manual : RELEASE.maxDuration, stop, at);
    }
    case 'noAnswer': {
      if (now >= stop) return { callStatus: 'Disconnected', releaseCause: dropped ? RELEASE.manual : RELEASE.noAnswer, endedAt: stop };
      return { callStatus: now < at ? 'Dialing' : 'Ringing' };
    }
    case 'busy':
    case 'reject':
    case 'unreachable': {
      if (at < stop) return ended(RELEASE[c.b.outcome], at);
      // the call's timeout (or a drop) comes before the destination's answer
      return ended(dropped ? RELEASE.manual : c.b.outcome === 'unreachable' ? RELEASE.unreachable : RELEASE.noAnswer, stop);
    }
  }
}

/** localStats / remoteStats of a call that connected: integers, strings and floats, as the vendor's page says (the fields are the simulator's). */
function stats(c: Call, p: Phase, now: number): { localStats: Record<string, unknown>; remoteStats: Record<string, unknown> } {
  const s = Math.max(0, Math.min(now, p.endedAt ?? now) - (p.connectedAt as number)) / 1000;
  const sent = Math.floor(s * 50);
  const lost = (n: number): number => Math.floor((n * c.b.packetLoss) / 100);
  const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
  const local = {
    codec: 'G711Alaw',
    durationSec: Math.floor(s),
    txPackets: sent,
    rxPackets: sent - lost(sent),
    packetLossPercent: round(c.b.packetLoss, 2),
    jitterMs: c.b.packetLoss > 1 ? 18 : 4,
    mos: round(c.b.mos, 1),
  };
  const remote = {
    txPackets: sent,
    rxPackets: sent - lost(sent),
    packetLossPercent: round(c.b.packetLoss, 2),
    jitterMs: c.b.packetLoss > 1 ? 20 : 5,
    mos: round(Math.max(1, c.b.mos - 0.1), 1),
  };
  return { localStats: local, remoteStats: remote };
}
