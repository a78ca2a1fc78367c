/**
 * mediant-test-call (firmware 7.40A.600 and later): POST /sipTestCall/dial,
 * then GET /sipTestCall/getStatus every second until the call's final status,
 * DELETE /sipTestCall/drop when the node closes or the wait runs out.
 *
 * The dial fields (calledNumber, callingNumber, destAddress or destIpGroup,
 * transportType, timeout) follow the node contract's rule for the 7.x nodes:
 * the node's setting wins, `msg.<field>` fills what the node leaves blank.
 * That rule matters here: a flow whose node names the number and destination
 * cannot be made to dial elsewhere by a message. Every field is checked
 * before the dial (the client's checks; the error names `msg.<field>` or the
 * node property).
 *
 * The wait is the device's own: the call's timeout (the dial's, or the
 * device's default from /show) plus a grace for the device to release it;
 * past it the node drops the call and sends what the device says then
 * (`msg.dropped`). A call that does not connect (busy, unanswered,
 * unreachable, no resources) is a result, not an error: the device did what
 * was asked, and "the call failed" is what a confirmation step needs to know.
 * Only a refused request (a 4xx/5xx answer, a bad field, no test call API)
 * or a failure to read the status goes to a Catch node.
 *
 * Closing: the flow nodes of a deploy are closed before their config node, in
 * one synchronous loop, so the drop of every call under way is sent here,
 * from this node's close handler, while the device's connection pool is still
 * open (the call's own abort path would find it closed).
 */
import { MediantBusyError, MediantHttpError, MediantInputError } from '../client/errors';
import type { TestCallDial, TestCallResult } from '../client/types';
import { checkTestCallDial } from '../client/validate';
import { shownField } from './lib/admin';
import { deviceOf, handleMessages, type DeviceNode } from './lib/flow-node';
import { t, useRuntimeI18n } from './lib/i18n';
import { registerNode } from './lib/migrations';
import { fromConfigOrMsg, type Check } from './lib/overrides';
import type { NodeAPI, Node, NodeDef, NodeMessage } from './lib/red';

const SET = 'mediant-test-call';
/** Between two status reads: the client's cadence, ms. */
const POLL_MS = 1000;
/** Calls one node may have under way at once; one more is refused (test calls may cost money). */
const MAX_CALLS = 4;
/** How long closing waits for the drops it sent. */
const CLOSE_WAIT_MS = 5000;

const FIELDS = ['calledNumber', 'callingNumber', 'destAddress', 'destIpGroup', 'transportType', 'timeout'] as const;

/** Any value but blank: the client's dial check says what each field takes. */
const anyValue: Check<unknown> = { expected: 'a value', parse: (v) => v };

/**
 * The dial, from the node's settings and the message's values, checked by
 * the client's one rule for each field. A refusal names where the value came
 * from (`msg.timeout must be ...`, `property timeout must be ...`); a field
 * neither gives is named as `msg.<field>`.
 */
function dialOf(def: NodeDef, msg: NodeMessage, ignored: (prop: string) => void): TestCallDial {
  const raw: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  // One destination: where the node names one, the message's is not used, whichever field it is in.
  const nodeDest = !blank(def.destAddress) || !blank(def.destIpGroup);
  for (const f of FIELDS) {
    const configured = typeof def[f] === 'string' ? (def[f] as string).trim() : def[f];
    if (nodeDest && (f === 'destAddress' || f === 'destIpGroup') && blank(configured)) {
      if (!blank(msg[f])) ignored(f);
      continue;
    }
    const v = fromConfigOrMsg(msg, f, configured, anyValue, { ignored });
    if (v === undefined) continue;
    raw[f] = v;
    from[f] = blank(configured) ? `msg.${f}` : `property ${f}`;
  }
  try {
    return checkTestCallDial(raw, 'dial test call');
  } catch (e) {
    if (!(e instanceof MediantInputError) || !(FIELDS as readonly string[]).includes(e.property)) throw e;
    // the client's words, with the field named as the user gave it
    const named = from[e.property] ?? `msg.${e.property}`;
    throw MediantInputError.saying(named, `${named}${e.message.slice(e.property.length)}`, 'dial test call');
  }
}

function blank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/** The device's short words for a status: one line, no echo of the credentials. */
function shortText(v: unknown, redact: (s: string) => string, max = 40): string {
  return typeof v === 'string' ? (shownField(v, redact, max) ?? '') : '';
}

function resultMsg(r: TestCallResult): Record<string, unknown> {
  const s = r.status;
  return {
    connected: r.connected,
    sessionId: r.sessionId,
    callId: s.callId ?? null,
    releaseCause: s.releaseCause ?? null,
    localStats: s.localStats ?? null,
    remoteStats: s.remoteStats ?? null,
    dropped: r.dropped,
  };
}

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);
  registerNode(RED, SET, function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const device = deviceOf(RED, def);

    /** A msg value that a node setting overrules: one warning per field. */
    const warned = new Set<string>();
    const ignored = (prop: string): void => {
      if (warned.has(prop)) return;
      warned.add(prop);
      node.warn(t('warn.ignored', { prop }, SET));
    };

    /** Calls under way: the device's client (the device each message chose), and the session id once the device gave one. */
    const calls = new Set<{ client: DeviceNode['client']; sessionId?: string }>();

    handleMessages(node, device, async (msg, { device: dev, signal, progress }) => {
      const dial = dialOf(def, msg, ignored);
      if (calls.size >= MAX_CALLS) throw new MediantBusyError('dial test call', t('error.tooMany', { max: MAX_CALLS }, SET));
      const call: { client: DeviceNode['client']; sessionId?: string } = { client: dev.client };
      calls.add(call);
      try {
        progress(t('status.dialling', undefined, SET));
        const client = dev.client;
        const r = await client
          .runTestCall(dial, {
            pollIntervalMs: POLL_MS,
            signal,
            onDial: (id) => {
              call.sessionId = id;
            },
            onStatus: (s) => progress(shortText(s.callStatus, (x) => client.redact(x)) || t('status.waiting', undefined, SET)),
          })
          .catch((e: unknown) => {
            // a device without /sipTestCall (firmware before 7.40A.600) answers the dial with 404
            if (e instanceof MediantHttpError && e.statusCode === 404 && call.sessionId === undefined) {
              throw new MediantHttpError(e.operation, 404, e.description, t('error.noTestCall', undefined, SET));
            }
            throw e;
          });
        const out = resultMsg(r.body);
        // the cause without the prefix every cause has, so that it fits a status line
        const cause = shortText(r.body.status.releaseCause, (x) => client.redact(x), 40).replace(/^RELEASE_BECAUSE_/, '');
        const summary = r.body.connected
          ? t('status.connected', { cause }, SET)
          : t('status.notConnected', { cause: cause || shortText(r.body.status.callStatus, (x) => client.redact(x), 30) }, SET);
        return { payload: r.body.status, statusCode: r.statusCode, extra: out, summary };
      } finally {
        calls.delete(call);
      }
    });

    node.on('close', (_removed, done) => {
      // Sent now, before the device node closes its pool in the same loop.
      const drops: Array<Promise<unknown>> = [];
      for (const c of calls) {
        if (c.sessionId !== undefined) drops.push(c.client.dropTestCall(c.sessionId).catch(() => undefined));
      }
      calls.clear();
      if (drops.length === 0) {
        done();
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS);
      });
      void Promise.race([Promise.all(drops), late])
        .catch(() => undefined)
        .finally(() => {
          clearTimeout(timer);
          done();
        });
    });
  });
};

