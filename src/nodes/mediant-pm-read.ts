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
 * also reads on its own timer (lib/timed-read.ts, one Poller per device): a
 * fresh message per read, its failures to Catch, the next read of a device
 * scheduled only when its previous one has ended, backoff while the device
 * is unreachable. `deviceFrom` `all` or `group`: every device of the fleet
 * on its own timer, the first reads spread over the interval; a message
 * reads every device of the fleet (or the one msg.device names).
 */
import { MediantHttpError } from '../client/errors';
import type { MediantApi } from '../client/types';
import { checkPmName } from '../client/validate';
import { deviceOf, handleMessages, type CallResult, type DeviceNode } from './lib/flow-node';
import { t, useRuntimeI18n } from './lib/i18n';
import { registerNode } from './lib/migrations';
import { checks, fromMsgOrConfig, timerFromConfig, type Check } from './lib/overrides';
import type { NodeAPI, Node, NodeDef, NodeMessage } from './lib/red';
import { startTimedReads } from './lib/timed-read';

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
  registerNode(RED, 'mediant-pm-read', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const choice = deviceOf(RED, def, { fleet: true });
    const configuredPm = typeof def.pm === 'string' ? def.pm : '';
    // A bad value keeps the timer off, with a red status and a log line.
    const pollSeconds = timerFromConfig(node, def, 'pollInterval', 0, pollCheck);

    /** One read of one device: what a message asks (msg.pm, msg.index, msg.interval), else the node's properties. */
    const read = async (msg: NodeMessage, device: DeviceNode, signal: AbortSignal): Promise<CallResult> => {
      const pm = fromMsgOrConfig(msg, 'pm', configuredPm, pmCheck);
      const index = fromMsgOrConfig(msg, 'index', def.index ?? '', indexCheck);
      const interval = fromMsgOrConfig(msg, 'interval', def.interval ?? 0, intervalCheck);
      const client = device.client;
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
    };

    handleMessages(node, choice, (msg, { device, signal }) => read(msg, device, signal));

    // The timer: each device of the node (its own, or every device of its fleet) read on its own schedule.
    const stopTimer = choice.problem
      ? () => Promise.resolve()
      : startTimedReads({ node, choice, pollSeconds, topic: configuredPm || 'performanceMonitoring', operation: 'read PM', read });

    node.on('close', (_removed, done) => {
      void stopTimer().finally(done);
    });
  });
};
