'use strict';
/**
 * What the example-flow tests share: load an example file from `examples/`
 * as Node-RED would import it, with every node module it uses (ours and the
 * core ones), against a simulator; and a small local stand-in for the chat
 * webhook and the ticketing API that records what arrives.
 */
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const helper = require('node-red-node-test-helper');
const { startSim } = require('../helpers/sim');

helper.init(require.resolve('node-red'));

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLES_DIR = path.join(ROOT, 'examples');

/** Our node types, as package.json maps them. */
const OUR_TYPES = Object.keys(require('../../package.json')['node-red'].nodes);
const OUR_MODULES = OUR_TYPES.map((t) => require(path.join(ROOT, 'nodes', `${t}.js`)));

/** Core node types the examples may use, and the file that registers each. */
const CORE_FILES = {
  inject: 'common/20-inject.js',
  debug: 'common/21-debug.js',
  comment: 'common/90-comment.js',
  catch: 'common/25-catch.js',
  switch: 'function/10-switch.js',
  change: 'function/15-change.js',
  delay: 'function/89-delay.js',
  rbe: 'function/rbe.js',
  split: 'sequence/17-split.js',
  'http request': 'network/21-httprequest.js',
  file: 'storage/10-file.js',
  'file in': 'storage/10-file.js',
  json: 'parsers/70-JSON.js',
};
const CORE_DIR = path.dirname(require.resolve('@node-red/nodes/package.json'));

/**
 * FlowFuse Dashboard 2.0 (`@flowfuse/node-red-dashboard`): a devDependency for
 * the dashboard example and its tests, never a dependency of the package (users
 * install it from the palette). Its node types, and the examples that may use them.
 */
const DASHBOARD_DIR = path.dirname(require.resolve('@flowfuse/node-red-dashboard/package.json'));
const DASHBOARD_FILES = require(path.join(DASHBOARD_DIR, 'package.json'))['node-red'].nodes;
const DASHBOARD_EXAMPLES = ['09 fleet dashboard.json'];

/** A password that nothing the flows send could contain by chance. */
const USER = 'Admin';
const PASSWORD = 'Ex4mple-Pw-7qZ';
const SIM_USERS = [{ username: USER, password: PASSWORD, privilege: 'securityAdmin' }];

function exampleFiles() {
  return fs
    .readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

function readExample(file) {
  return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
}

/** The core node modules a flow needs; throws on a type that is neither core-listed nor ours. */
function coreModulesFor(nodes) {
  const files = new Set();
  for (const n of nodes) {
    if (OUR_TYPES.includes(n.type) || n.type === 'tab') continue;
    if (Object.prototype.hasOwnProperty.call(DASHBOARD_FILES, n.type)) {
      files.add(path.join(DASHBOARD_DIR, DASHBOARD_FILES[n.type]));
      continue;
    }
    const f = CORE_FILES[n.type];
    if (!f) throw new Error(`example uses node type "${n.type}", which is neither ours nor a core node these tests know`);
    files.add(f);
  }
  return [...files].map((f) => require(path.isAbsolute(f) ? f : path.join(CORE_DIR, 'core', f)));
}

/** Node of a flow by its name (names are unique within an example); throws when absent. */
function byName(nodes, name) {
  const found = nodes.filter((n) => n.name === name);
  if (found.length !== 1) throw new Error(`expected one node named "${name}", found ${found.length}`);
  return found[0];
}

/**
 * Load an example against `sim`. The device config node is used as shipped
 * (host and port from MEDIANT_HOST / MEDIANT_PORT, set here), switched to
 * http because the test simulator speaks http; the credentials go in the
 * helper's credentials argument, as Node-RED keeps them apart from the flow.
 * `env` sets further environment variables (CHAT_WEBHOOK_URL, ...).
 * `more`: nodes a user added beside the example (further `mediant-device`
 * nodes of a fleet, given the same credentials).
 * Resolves with the flow's nodes (as loaded).
 */
async function loadExample(file, sim, env = {}, more = []) {
  const nodes = [...readExample(file), ...more];
  Object.assign(process.env, { MEDIANT_HOST: '127.0.0.1', MEDIANT_PORT: String(sim.port) }, env);
  const tabs = [...new Set(nodes.filter((n) => n.z).map((n) => n.z))];
  const flow = [
    ...tabs.map((id) => ({ id, type: 'tab', label: file })),
    ...nodes.map((n) => (n.type === 'mediant-device' ? { ...n, protocol: 'http' } : n)),
  ];
  const credentials = {};
  for (const n of nodes) if (n.type === 'mediant-device') credentials[n.id] = { username: USER, password: PASSWORD };
  // node-red-node-test-helper 0.3 registers its built-in catch/status/complete
  // modules once per NODE of that type, so a flow with two Catch nodes fails
  // with "catch already registered". During this load we hand it no built-ins
  // and load those modules ourselves, once each (it only reads the list in load()).
  const builtIns = helper._nodeModules;
  helper._nodeModules = {};
  try {
    await helper.load([...OUR_MODULES, ...coreModulesFor(nodes)], flow, credentials);
  } finally {
    helper._nodeModules = builtIns;
  }
  return flow;
}

/** The running node of the loaded flow with that name. */
function nodeNamed(flow, name) {
  const n = helper.getNode(byName(flow, name).id);
  if (!n) throw new Error(`node "${name}" is not running`);
  return n;
}

/** Count the messages arriving at a running node (listening on its input). */
function countInputs(node) {
  const counter = { count: 0, msgs: [] };
  node.on('input', (msg) => {
    counter.count++;
    counter.msgs.push(msg);
  });
  return counter;
}

/**
 * Resolve once `check()` returns a truthy value (checked every 25 ms and on
 * `kick`); reject after `ms` with `what` in the message. Waiting is for
 * failure reporting only: no test asserts how long anything took.
 */
function waitFor(check, what, ms = 20000) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      let v;
      try {
        v = check();
      } catch (e) {
        return reject(e);
      }
      if (v) return resolve(v);
      if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 25);
    };
    tick();
  });
}

/**
 * The mocha hooks every example test shares, registered in the calling
 * `describe`: the test helper's server for the whole describe; for each test
 * a fresh simulator (users SIM_USERS, plus `simOptions`) and, unless
 * `receiver` is false, a fresh Receiver; after each test the flow unloaded
 * and both closed. Returns `{ sim, rx }`, filled in before each test.
 */
function useSimulator(simOptions = {}, { receiver = true } = {}) {
  const env = { sim: undefined, rx: undefined };
  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(async () => {
    if (receiver) env.rx = await new Receiver().start();
    env.sim = await startSim({ users: SIM_USERS, ...simOptions });
  });
  afterEach(async () => {
    await helper.unload();
    await env.sim.close();
    if (receiver) await env.rx.close();
  });
  return env;
}

/**
 * Stand-in for the chat webhook (`POST /chat`, answers `ok` as Slack does)
 * and a REST ticketing API (`POST /tickets` -> 201 {id,...};
 * `PATCH /tickets/<id>` -> 200 | 404). Records every request.
 */
class Receiver {
  constructor() {
    this.requests = [];
    this.tickets = new Map();
    this.seq = 0;
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  start() {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.base = `http://127.0.0.1:${this.server.address().port}`;
        resolve(this);
      });
    });
  }

  close() {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  get chat() {
    return this.requests.filter((r) => r.path === '/chat');
  }

  handle(req, res) {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 1024 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const rec = { method: req.method, path: req.url, headers: req.headers, raw, body };
      this.requests.push(rec);
      const json = (status, obj) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      if (req.url === '/chat' && req.method === 'POST') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('ok');
      }
      if (req.url === '/tickets' && req.method === 'POST') {
        const ticket = { ...body, id: `T${++this.seq}`, status: 'open' };
        this.tickets.set(ticket.id, ticket);
        rec.ticket = ticket;
        return json(201, ticket);
      }
      const m = /^\/tickets\/([^/]+)$/.exec(req.url);
      if (m && req.method === 'PATCH') {
        const t = this.tickets.get(decodeURIComponent(m[1]));
        if (!t) return json(404, { error: 'no such ticket' });
        Object.assign(t, body);
        rec.ticket = t;
        return json(200, t);
      }
      json(404, { error: 'not found' });
    });
  }
}

/** Every request's text as the receiver got it, to check that no credential leaked. */
function everythingSent(receiver) {
  return receiver.requests.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.headers)} ${r.raw}`).join('\n');
}

module.exports = {
  helper,
  OUR_TYPES,
  CORE_FILES,
  DASHBOARD_FILES,
  DASHBOARD_EXAMPLES,
  USER,
  PASSWORD,
  SIM_USERS,
  exampleFiles,
  readExample,
  byName,
  loadExample,
  useSimulator,
  nodeNamed,
  countInputs,
  waitFor,
  Receiver,
  everythingSent,
};
