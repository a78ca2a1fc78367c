/**
 * mediant-kpi (firmware 7.4): GET /kpi/current/<kpi> or /kpi/history/<kpi>?interval=,
 * every page, as KPI name -> number.
 *
 * `kpi` is a path below current|history that ends at an entity
 * (`sbc/callStats/global`), an index of one (`sbc/callStats/ipGroup/1`) or a
 * single KPI (`.../global/activeCallsIn`). The node's settings win; `msg.kpi`,
 * `msg.source` and `msg.interval` fill what the node leaves blank (the node
 * contract's rule for the 7.x nodes). History reads `interval` (an index, or
 * `last`: the newest completed interval, asked of the device first).
 *
 * Output, for a chart, InfluxDB or Prometheus: `msg.payload` the numbers
 * (strings such as "0" read as numbers; null, absent and non-numeric values
 * left out, never NaN), `msg.measurement` `<application>_<group>`, `msg.tags`
 * the path's names (device, application, group, entity, index, source) —
 * apart from the payload so that the payload stays the contract's object.
 * `msg.items` the device's items as the client hands them on.
 *
 * Timer: the shared timer reads of lib/timed-read.ts, as mediant-pm-read's
 * (one Poller per device: reads of a device never overlap, backoff while it
 * is unreachable); with `deviceFrom` `all` or `group`, every device of the
 * fleet on its own timer, the first reads spread over the interval.
 *
 * The editor's KPI picker lists the device's own tree through an admin
 * endpoint (behind the device's write permission), with the deployed device's
 * client: a stored password goes nowhere else, and a dialog whose device
 * settings differ from the deployed ones is asked to deploy first.
 */
import { kpiValues } from '../client';
import { MediantError, MediantHttpError, MediantInputError, isMediantError } from '../client/errors';
import type { KpiItem, MediantApi } from '../client/types';
import { checkKpiPath } from '../client/validate';
import { deployedTarget, envSubstituted, hideSubstituted, shownField, targetOf, type DialogValue } from './lib/admin';
import { deviceOf, handleMessages, type CallResult, type DeviceNode } from './lib/flow-node';
import { t, useRuntimeI18n } from './lib/i18n';
import { registerNode } from './lib/migrations';
import { checks, fromConfigOrMsg, timerFromConfig, type Check } from './lib/overrides';
import type { HttpRequestLike, HttpResponseLike, NodeAPI, Node, NodeDef, NodeMessage } from './lib/red';
import { setStatus } from './lib/status';
import { startTimedReads } from './lib/timed-read';

const SET = 'mediant-kpi';

/** The editor's tree: at most this many entries of one level, this long in all. */
const TREE_MAX_ITEMS = 500;
const TREE_TIMEOUT_MS = 60_000;
/** A listing named in an error: its first few children. */
const NAMED_CHILDREN = 5;

type Source = 'current' | 'history';
type Interval = number | 'last';

const sourceCheck = checks.oneOf<Source>(['current', 'history']);

/** Below current|history: an application, group, entity, index or KPI, 3 to 5 names. */
const kpiCheck: Check<string> = {
  expected: 'a KPI path below current or history, such as "sbc/callStats/global" (3 to 5 names of letters, digits, _ and - joined by /)',
  parse: (v) => {
    try {
      const p = checkKpiPath(v, 'kpi', undefined, { min: 3, max: 5 });
      return /^(current|history)(\/|$)/.test(p) ? undefined : p;
    } catch {
      return undefined;
    }
  },
};

const nonNegative = checks.integer(0);
const intervalCheck: Check<Interval> = {
  expected: 'an interval index (an integer >= 0) or "last"',
  parse: (v) => (v === 'last' ? v : nonNegative.parse(v)),
};

const pollCheck = checks.timerSeconds();

/** Where a path's names go as tags; the last name is the KPI's when the answer is that one KPI. */
function tagsOf(path: string, items: readonly KpiItem[], device: string, source: Source): { measurement: string; tags: Record<string, string>; single?: string } {
  const names = path.split('/');
  const last = names[names.length - 1];
  const single = names.length >= 4 && items.length === 1 && items[0]?.id === last ? last : undefined;
  const tags: Record<string, string> = { device, application: names[0] ?? '', group: names[1] ?? '', entity: names[2] ?? '' };
  const index = single === undefined ? names[3] : names.length === 5 ? names[3] : undefined;
  if (index !== undefined) tags.index = index;
  tags.source = source;
  return { measurement: `${names[0]}_${names[1]}`, tags, single };
}

/** The numbers of `items`: null, absent and non-numeric values left out. */
function numbersOf(items: readonly KpiItem[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(kpiValues(items))) if (v !== null) out[k] = v;
  return out;
}

/**
 * A 404 from the KPI API: where the device has no /kpi at all (firmware
 * before 7.4), the error says so and names mediant-pm-read; a 404 for one
 * path of a device that has the API stays as the device said it. Asking
 * the tree's root tells the two apart.
 */
async function explain404(err: unknown, client: MediantApi, signal: AbortSignal): Promise<never> {
  if (!(err instanceof MediantHttpError) || err.statusCode !== 404) throw err;
  const noApi = await client.listKpi('', undefined, signal).then(
    () => false,
    (e: unknown) => e instanceof MediantHttpError && e.statusCode === 404,
  );
  if (!noApi) throw err;
  throw new MediantHttpError(err.operation, 404, err.description, t('error.noKpiApi', undefined, SET));
}

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);
  registerNode(RED, SET, function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const choice = deviceOf(RED, def, { fleet: true });
    const configuredKpi = typeof def.kpi === 'string' ? def.kpi.trim() : '';
    // A bad value keeps the timer off, with a red status and a log line.
    let pollSeconds = timerFromConfig(node, def, 'pollInterval', 0, pollCheck);
    if (pollSeconds > 0 && configuredKpi === '') {
      // a timer read has no message to take msg.kpi from
      setStatus(node, 'error', t('status.timerNoKpi', undefined, SET), false);
      node.error(t('error.timerNoKpi', undefined, SET));
      pollSeconds = 0;
    }

    /** A msg value that a node setting overrules: one warning per property. */
    const warned = new Set<string>();
    const ignored = (prop: string): void => {
      if (warned.has(prop)) return;
      warned.add(prop);
      node.warn(t('warn.ignored', { prop }, SET));
    };

    /** One read of one device, for a message or the timer. */
    const read = async (msg: NodeMessage, dev: DeviceNode, signal: AbortSignal): Promise<CallResult> => {
      // every value checked before any request
      const source = fromConfigOrMsg(msg, 'source', def.source, sourceCheck, { fallback: 'current', ignored }) as Source;
      const kpi = fromConfigOrMsg(msg, 'kpi', configuredKpi, kpiCheck, { ignored });
      if (kpi === undefined) throw new MediantInputError('msg.kpi', `${kpiCheck.expected} (the node has no KPI path)`, msg.kpi);
      const asked = source === 'history' ? (fromConfigOrMsg(msg, 'interval', def.interval, intervalCheck, { fallback: 'last', ignored }) as Interval) : undefined;
      const client = dev.client;
      let interval: number | null = null;
      let r;
      try {
        if (source === 'current') {
          r = await client.getKpiCurrent(kpi, { signal });
        } else {
          interval = asked === 'last' || asked === undefined ? (await client.getLastKpiInterval(kpi, signal)).body : asked;
          // null: the device keeps no interval yet (204): nothing to read
          r = interval === null ? { statusCode: 204, body: [] as KpiItem[] } : await client.getKpiHistory(kpi, interval, { signal });
        }
      } catch (e) {
        return await explain404(e, client, signal);
      }
      const items = r.body;
      if (items.length > 0 && !items.some((it) => 'value' in it)) {
        // a listing (an application, group or indexed entity): name what is below it
        const children = items.slice(0, NAMED_CHILDREN).map((it) => it.id).filter((id): id is string => typeof id === 'string');
        const more = items.length > NAMED_CHILDREN ? ', …' : '';
        throw new MediantError('EINPUT', source === 'current' ? 'read current KPIs' : 'read KPI history', t('error.listing', { kpi, children: dev.client.redact(children.join(', ')) + more }, SET), r.statusCode);
      }
      const payload = numbersOf(items);
      const { measurement, tags, single } = tagsOf(kpi, items, dev.deviceLabel, source);
      const extra: Record<string, unknown> = { kpi, source, items, measurement, tags };
      if (source === 'history') extra.interval = interval;
      const count = Object.keys(payload).length;
      const value = single !== undefined ? payload[single] : undefined;
      const summary =
        single !== undefined
          ? `${single} = ${value === undefined ? '–' : value}`
          : t(interval === null ? 'status.read' : 'status.readInterval', { count, interval: interval ?? '' }, SET);
      return { payload, statusCode: r.statusCode, extra, summary };
    };

    handleMessages(node, choice, (msg, { device, signal }) => read(msg, device, signal));

    // The timer: each device of the node (its own, or every device of its fleet) read on its own schedule.
    const stopTimer = choice.problem ? () => Promise.resolve() : startTimedReads({ node, choice, pollSeconds, topic: configuredKpi, operation: 'read KPIs', read });

    node.on('close', (_removed, done) => {
      void stopTimer().finally(done);
    });
  });

  // The dialog's KPI picker: one level of the deployed device's own tree (current values).
  RED.httpAdmin.post('/mediant-kpi/tree', RED.auth.needsPermission('mediant-device.write'), (req: HttpRequestLike, res: HttpResponseLike) => {
    let answered = false;
    const answer = (body: Record<string, unknown>): void => {
      if (answered) return;
      answered = true;
      try {
        res.json(body);
      } catch {
        // the connection to the editor is gone: nothing more to tell it
      }
    };
    let host: DialogValue = { value: undefined };
    let port: DialogValue = { value: undefined };
    const list = async (): Promise<Record<string, unknown>> => {
      const body = req.body ?? {};
      const id = typeof body.device === 'string' ? body.device : '';
      const found = id ? RED.nodes.getNode(id) : null;
      const dev = found && typeof found === 'object' && 'client' in found ? (found as DeviceNode) : undefined;
      if (!dev) return { ok: false, error: t('error.treeNotDeployed', undefined, SET) };
      host = envSubstituted(RED, body.host, dev);
      port = envSubstituted(RED, body.port, dev);
      // The deployed device's client sends the stored password to the deployed
      // host and port only; a dialog that shows other settings is not answered
      // from another device than the one it shows.
      if (deployedTarget(id) !== targetOf(host.value, port.value, body.protocol)) return { ok: false, error: t('error.treeChanged', undefined, SET) };
      const path = checkKpiPath(body.path ?? '', 'path', 'list KPIs', { max: 5 });
      if (/^(current|history)(\/|$)/.test(path)) throw new MediantInputError('path', 'a path below current', body.path, 'list KPIs');
      const redact = (s: string): string => dev.client.redact(s);
      const items: Array<Record<string, unknown>> = [];
      let more = false;
      const signal = AbortSignal.timeout(TREE_TIMEOUT_MS);
      for await (const it of dev.client.iterateKpi(path === '' ? 'current' : `current/${path}`, { maxPages: 50, signal })) {
        if (items.length >= TREE_MAX_ITEMS) {
          more = true;
          break;
        }
        // only ids that can be put into a path are offered
        if (typeof it.id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(it.id)) continue;
        const entry: Record<string, unknown> = { id: it.id, name: shownField(it.name, redact, 60), description: shownField(it.description, redact) };
        if ('value' in it) {
          entry.kpi = true;
          entry.value = typeof it.value === 'number' && Number.isFinite(it.value) ? it.value : shownField(it.value, redact, 20) ?? null;
        }
        items.push(entry);
      }
      return { ok: true, path, items, more };
    };
    list()
      .catch((err: unknown) => ({ ok: false, error: isMediantError(err) ? err.message : t('error.treeFailed', undefined, SET) }))
      .then((result) => {
        if (typeof result.error === 'string') result.error = hideSubstituted(result.error, host, port);
        answer(result);
      })
      .catch(() => answer({ ok: false, error: t('error.treeFailed', undefined, SET) }));
  });
};
