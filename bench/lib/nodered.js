'use strict';
/**
 * Node-RED inside the bench worker: the test helper's runtime with the
 * helper's own instrumentation taken off after the flow starts (it wraps
 * Node.prototype.send/status/... in sinon spies that keep every call, which
 * would count the helper's cost and memory as ours), and the flows for each
 * side: ours (mediant-device + mediant-alarms-poll) and the baseline a user
 * would build from core nodes (inject -> http request -> change -> split ->
 * http request per alarm).
 */
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const CORE = path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [ROOT] }));
const USER = 'Admin';
const PASS = 'Admin';

let helper = null;

function getHelper() {
  if (helper) return helper;
  helper = require('node-red-node-test-helper');
  helper.init(require.resolve('node-red', { paths: [ROOT] }));
  return helper;
}

/** The compiled node module of ours named `type` (e.g. `mediant-alarms-poll`). */
function ours(type) {
  return require(path.join(ROOT, 'nodes', `${type}.js`));
}

function core(rel) {
  return require(path.join(CORE, 'core', rel));
}

const PROXIED = ['log', 'status', 'warn', 'error', 'debug', 'trace', 'send'];

/**
 * Load `flow` with `nodes` (node module functions) and `credentials`, then
 * take the helper's spies off Node.prototype and RED.log so the runtime runs
 * as it would outside the helper.
 */
async function loadFlow(nodes, flow, credentials) {
  const h = getHelper();
  const proto = h._NodePrototype;
  const originals = {};
  for (const m of PROXIED) originals[m] = proto[m];
  const log = h._log;
  const originalLog = log.log;
  await h.load(nodes, flow, credentials);
  const proxied = {};
  for (const m of PROXIED) proxied[m] = proto[m];
  h._sandbox.restore();
  for (const m of PROXIED) proto[m] = originals[m];
  log.log = originalLog;
  // Node's constructor copies Node.prototype.send onto each node (its
  // single-wire shortcut), so the nodes built during load hold the spy: swap it back.
  for (const def of flow) {
    const n = h.getNode(def.id);
    if (!n) continue;
    for (const m of PROXIED) {
      if (Object.prototype.hasOwnProperty.call(n, m) && n[m] === proxied[m]) n[m] = originals[m];
    }
  }
  return h;
}

async function unload() {
  if (!helper) return;
  await helper.unload();
}

function getNode(id) {
  return getHelper().getNode(id);
}

const TAB = { id: 'bench-tab', type: 'tab', label: 'bench' };

/**
 * Ours: one mediant-device + mediant-alarms-poll per device, or with `fleet`
 * one mediant-alarms-poll over all the devices (`deviceFrom: all`). `pollInterval`
 * 0 = the harness triggers each poll with an input message. `extraPoll` and
 * `extraDevice` are added to every poll / device node (e.g. a concurrency
 * setting). Outputs go to `out` (a helper node) when `wireOut`.
 */
function oursFlow(devices, { alarmType = 'active', pollInterval = 0, emitExisting = true, output = 'events', wireOut = true, extraPoll = {}, extraDevice = {}, fleet = false } = {}) {
  const flow = [TAB];
  const credentials = {};
  if (wireOut) flow.push({ id: 'out', type: 'helper', z: TAB.id, x: 100, y: 100 });
  flow.push({ id: 'errors', type: 'helper', z: TAB.id, x: 100, y: 100 });
  flow.push({ id: 'catcher', type: 'catch', z: TAB.id, x: 100, y: 100, scope: null, uncaught: false, wires: [['errors']] });
  devices.forEach((d, i) => {
    flow.push({ id: `dev${i}`, type: 'mediant-device', name: `bench${i}`, host: '127.0.0.1', port: String(d.port), protocol: 'http', timeout: '10000', ...extraDevice });
    credentials[`dev${i}`] = { username: USER, password: PASS };
    if (fleet) return;
    flow.push({
      id: `poll${i}`,
      type: 'mediant-alarms-poll',
      z: TAB.id, x: 100, y: 100,
      name: '',
      device: `dev${i}`,
      alarmType: d.alarmType || alarmType,
      pollInterval: String(pollInterval),
      emitExisting,
      output,
      wires: [wireOut ? ['out'] : []],
      ...extraPoll,
    });
  });
  if (fleet) {
    // One node over every device (deviceFrom `all`): each device's watch on its own timer, first polls spread over the interval.
    flow.push({
      id: 'poll0',
      type: 'mediant-alarms-poll',
      z: TAB.id, x: 100, y: 100,
      name: '',
      device: '',
      deviceFrom: 'all',
      deviceGroup: '',
      alarmType,
      pollInterval: String(pollInterval),
      emitExisting,
      output,
      wires: [wireOut ? ['out'] : []],
      ...extraPoll,
    });
  }
  return { nodes: [ours('mediant-device'), ours('mediant-alarms-poll')], flow, credentials };
}

/**
 * The do-it-yourself flow with core nodes only, per device:
 * inject (repeat every `pollInterval` s, or none: the harness sends into the
 * list request) -> http request GET list (Basic auth, parsed JSON) ->
 * change (payload = payload.alarms: split would otherwise cut the object by
 * key) -> split -> http request GET {{{payload.url}}} per alarm.
 * `persist` is the http request node's keep-alive option (off by default in
 * the editor, so off here unless asked).
 */
function baselineFlow(devices, { alarmType = 'active', pollInterval = 0, persist = false, wireOut = false } = {}) {
  const flow = [TAB];
  const credentials = {};
  flow.push({ id: 'out', type: 'helper', z: TAB.id, x: 100, y: 100 });
  flow.push({ id: 'errors', type: 'helper', z: TAB.id, x: 100, y: 100 });
  flow.push({ id: 'catcher', type: 'catch', z: TAB.id, x: 100, y: 100, scope: null, uncaught: false, wires: [['errors']] });
  devices.forEach((d, i) => {
    const base = `http://127.0.0.1:${d.port}`;
    if (pollInterval > 0) {
      flow.push({
        id: `inj${i}`,
        type: 'inject',
        z: TAB.id, x: 100, y: 100,
        props: [{ p: 'payload' }],
        repeat: String(pollInterval),
        crontab: '',
        once: true,
        onceDelay: 0.1,
        topic: '',
        payload: '',
        payloadType: 'date',
        wires: [[`list${i}`]],
      });
    }
    const req = { type: 'http request', z: TAB.id, x: 100, y: 100, method: 'GET', ret: 'obj', paytoqs: 'ignore', tls: '', persist, proxy: '', insecureHTTPParser: false, authType: 'basic', senderr: false, headers: [] };
    flow.push({ id: `list${i}`, ...req, url: `${base}/api/v1/alarms/${alarmType}`, wires: [[`chg${i}`]] });
    credentials[`list${i}`] = { user: USER, password: PASS };
    flow.push({ id: `chg${i}`, type: 'change', z: TAB.id, x: 100, y: 100, rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'payload.alarms', tot: 'msg' }], wires: [[`split${i}`]] });
    flow.push({ id: `split${i}`, type: 'split', z: TAB.id, x: 100, y: 100, splt: '\\n', spltType: 'str', arraySplt: 1, arraySpltType: 'len', stream: false, addname: '', wires: [[`det${i}`]] });
    flow.push({ id: `det${i}`, ...req, url: `${base}{{{payload.url}}}`, wires: [wireOut ? ['out'] : []] });
    credentials[`det${i}`] = { user: USER, password: PASS };
  });
  const nodes = [core('common/20-inject.js'), core('network/21-httprequest.js'), core('function/15-change.js'), core('sequence/17-split.js')];
  return { nodes, flow, credentials };
}

module.exports = { getHelper, loadFlow, unload, getNode, ours, core, oursFlow, baselineFlow, USER, PASS, TAB };
