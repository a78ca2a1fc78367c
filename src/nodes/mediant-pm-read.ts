/**
 * mediant-pm-read: GET /performanceMonitoring[/<pm>[?index=&interval=]]
 * (vendor document section 9; its examples put these URLs under /alarms/,
 * a typo: the navigation tree of section 4 has them at the top level, and so
 * does the client).
 *
 * pm ""  -> the list of PM names; index "" -> discovery (indexes, intervals,
 * thresholds); a number -> that index's value; "all" -> discovery, then one
 * value per discovered index (payload: the array).
 *
 * With pollInterval > 0 (whole seconds from 1, checked by the shared timer
 * check: a bad value means no timer, a red status and a log line) the node
 * also reads on its own timer. A timer read
 * goes through the same input path as a message (`node.receive`), so it gets
 * the same status, send and Catch-able errors. The next timer read is
 * scheduled only when the previous read has ended (a setTimeout chain), so
 * reads never overlap; the chain stops when the node closes.
 */
import { MediantHttpError } from '../client/errors';
import type { MediantApi } from '../client/types';
import { checkPmName } from '../client/validate';
import { deviceOf, handleMessages } from './lib/flow-node';
import { t, useRuntimeI18n } from './lib/i18n';
import { checks, fromMsgOrConfig, timerFromConfig, type Check } from './lib/overrides';
import type { NodeAPI, Node, NodeDef, NodeMessage } from './lib/red';

/** The runtime's Node has `receive(msg)`: deliver a message to this node's own input. */
type ReceivingNode = Node & { receive(msg: NodeMessage): void };

/** The first timer read comes shortly after the start, as an inject node's "once" does. */
const FIRST_READ_MS = 100;

/**
 * A 404 from the PM API: where the device has no /performanceMonitoring at
 * all (firmware 7.4 serves /kpi instead), the error says to use mediant-kpi.
 * A 404 for one PM of a device that has the API (an unknown PM name) stays
 * as the device said it; asking the PM list tells the two apart.
 */
async function explain404(err: unknown, client: MediantApi, listed: boolean, signal: AbortSignal): Promise<never> {
  if (!(err instanceof MediantHttpError) || err.statusCode !== 404) throw err;
  if (!listed) {
    const noApi = await client.listPms(signal).then(
      () => false,
      (e: unknown) => e instanceof MediantHttpError && e.statusCode === 404,
    );
    if (!noApi) throw err;
  }
  throw new MediantHttpError(err.operation, 404, err.description, t('error.useKpi', undefined, 'mediant-pm-read'));
}

/** "" (list the PM names) or a PM name as the client accepts it. */
const pmCheck: Check<string> = {
  expected: 'a PM name of letters, digits and _ (up to 64), or "" to list the PM names',
  parse: (v) => {
    if (v === '') return '';
    try {
      return checkPmName(v);
    } catch {
      return undefined;
    }
  },
};

type IndexChoice = '' | 'all' | number;

const nonNegative = checks.integer(0);
const indexCheck: Check<IndexChoice> = {
  expected: 'an integer >= 0, "all", or "" for discovery',
  parse: (v) => (v === '' || v === 'all' ? v : nonNegative.parse(v)),
};

const intervalCheck = checks.integer(0, 2);
/** Whole seconds, as the editor takes them. */
const pollCheck = checks.timerSeconds();

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);
  RED.nodes.registerType('mediant-pm-read', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const node = this as ReceivingNode;
    const choice = deviceOf(RED, def);
    /** The timer reads the configured device (for deviceFrom msg: the fallback one). */
    const device = choice.configured;
    const configuredPm = typeof def.pm === 'string' ? def.pm : '';
    // A bad value keeps the timer off, with a red status and a log line.
    const pollSeconds = timerFromConfig(node, def, 'pollInterval', 0, pollCheck);

    /** Messages this node made for its own timer: their read ending schedules the next. */
    const timerMsgs = new WeakSet<NodeMessage>();
    let running = 0;
    let timer: NodeJS.Timeout | undefined;
    /** The timer came due while a read from an input message was running. */
    let due = false;
    let closed = false;

    const schedule = (delayMs = pollSeconds * 1000): void => {
      if (closed || pollSeconds === 0 || !device) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (running > 0) due = true;
        else readOnTimer();
      }, delayMs);
    };
    const readOnTimer = (): void => {
      if (closed) return;
      const msg: NodeMessage = { topic: configuredPm || 'performanceMonitoring' };
      timerMsgs.add(msg);
      node.receive(msg);
    };

    handleMessages(node, choice, async (msg, { device: dev, signal }) => {
      running++;
      try {
        const pm = fromMsgOrConfig(msg, 'pm', configuredPm, pmCheck);
        const index = fromMsgOrConfig(msg, 'index', def.index ?? '', indexCheck);
        const interval = fromMsgOrConfig(msg, 'interval', def.interval ?? 0, intervalCheck);
        const client = dev.client;
        try {
          if (pm === '') {
            const r = await client.listPms(signal);
            const count = Array.isArray(r.body?.items) ? r.body.items.length : 0;
            return { payload: r.body, statusCode: r.statusCode, summary: `${r.statusCode} · ${count} PMs` };
          }
          if (index === '') {
            const r = await client.getPmDiscovery(pm, signal);
            return { payload: r.body, statusCode: r.statusCode, summary: `${r.statusCode} ${pm}` };
          }
          if (index !== 'all') {
            const r = await client.getPmValue(pm, { index, interval }, signal);
            // The value only where it is a number: whatever else a device sends is not shown.
            const value = typeof r.body?.value === 'number' ? ` = ${r.body.value}` : '';
            return { payload: r.body, statusCode: r.statusCode, summary: `${r.statusCode} ${pm}[${index}]${value}` };
          }
          // Bounded by the client: too many indexes, or values too large in all, is a clear error.
          const r = await client.getPmValues(pm, { interval }, signal);
          return { payload: r.body, statusCode: r.statusCode, summary: `${r.statusCode} ${pm} · ${r.body.length} indexes` };
        } catch (e) {
          return await explain404(e, client, pm === '', signal);
        }
      } finally {
        running--;
        if (timerMsgs.has(msg)) {
          schedule();
        } else if (due && running === 0) {
          due = false;
          readOnTimer();
        }
      }
    });

    node.on('close', (_removed, done) => {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      done();
    });

    schedule(FIRST_READ_MS);
  });
};
