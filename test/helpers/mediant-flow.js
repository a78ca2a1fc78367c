'use strict';
/**
 * What the node tests of the config node and the status, reset, save-config,
 * license and request nodes share: a flow with a `mediant-device` pointing at
 * the simulator, the node under test wired to a helper node, a Catch node
 * wired to another, and ways to wait for whichever of the two gets a message.
 */
const helper = require('node-red-node-test-helper');

helper.init(require.resolve('node-red'));

const { startSim, resetSim, FIRMWARE } = require('./sim');

const deviceNode = require('../../nodes/mediant-device.js');
const catchNode = require('@node-red/nodes/core/common/25-catch.js');

/** A password no message, status or log line could contain by chance. */
const PASSWORD = 'Pa55-w0rd-Zq9';
const CREDENTIALS = { dev1: { username: 'Admin', password: PASSWORD } };
/** Simulator users: Admin with that password (securityAdmin), Monitor/Monitor (monitor: 403). */
const SIM_USERS = [
  { username: 'Admin', password: PASSWORD, privilege: 'securityAdmin' },
  { username: 'Monitor', password: 'Monitor', privilege: 'monitor' },
];

/**
 * The mocha hooks every node test file shares, registered in the calling
 * `describe`: before all, a simulator (users SIM_USERS, firmware FIRMWARE, plus `simOptions`) and
 * the test helper's server; after each test, the flow unloaded and the device
 * as it was (every fault off, HA mode off, up again after any reboot, request
 * log empty); after all, both stopped. Returns `{ sim }`, filled in before
 * the first test: use `env.sim` inside hooks and tests.
 */
function useSimulator(simOptions = {}) {
  const env = { sim: undefined };
  before(async function () {
    env.sim = await startSim({ users: SIM_USERS, firmware: FIRMWARE, ...simOptions });
    await helper.startServer();
  });
  after(async function () {
    await helper.stopServer();
    await env.sim.close();
  });
  afterEach(async function () {
    await helper.unload();
    await resetSim(env.sim);
    env.sim.control.clearLog();
  });
  return env;
}

/**
 * The flow: `dev1` (the device), the nodes given (each wired to `out` and
 * pointed at dev1 unless they say otherwise), a catch node wired to `caught`.
 */
function flowFor(sim, nodes, deviceProps = {}) {
  return [
    { id: 'f1', type: 'tab', label: 'test' },
    {
      id: 'dev1',
      type: 'mediant-device',
      name: '',
      host: '127.0.0.1',
      port: String(sim.port),
      protocol: sim.protocol || 'http',
      tls: '',
      timeout: 5000,
      conflictRetry: 0,
      ...deviceProps,
    },
    ...nodes.map((n) => ({ z: 'f1', device: 'dev1', wires: [['out']], ...n })),
    { id: 'out', z: 'f1', type: 'helper' },
    { id: 'catch1', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'f1', type: 'helper' },
  ];
}

/** Load the config node, the node module(s) under test and a catch node. */
function load(nodeModules, flow, credentials = CREDENTIALS) {
  const modules = [deviceNode, catchNode].concat(nodeModules);
  return helper.load(modules, flow, credentials);
}

/**
 * Resolves with `{ out: msg }` or `{ caught: msg }`, whichever comes first;
 * rejects when neither comes within `ms`.
 */
function outcome(ms = 20000) {
  const out = helper.getNode('out');
  const caught = helper.getNode('caught');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no message on the output or at the catch node within ${ms} ms`));
    }, ms);
    const onOut = (msg) => {
      cleanup();
      resolve({ out: msg });
    };
    const onCaught = (msg) => {
      cleanup();
      resolve({ caught: msg });
    };
    function cleanup() {
      clearTimeout(timer);
      out.removeListener('input', onOut);
      caught.removeListener('input', onCaught);
    }
    out.on('input', onOut);
    caught.on('input', onCaught);
  });
}

/** Send msg into node `id` and wait for the outcome. */
function send(id, msg, ms) {
  const p = outcome(ms);
  helper.getNode(id).receive(msg);
  return p;
}

/** Every status object node `id` shows from now on. */
function recordStatus(id) {
  const seen = [];
  helper.getNode(id).on('call:status', (call) => seen.push(call.args[0]));
  return seen;
}

/** The API requests the simulator received (without its /__sim/ control calls). */
function apiLog(sim) {
  return sim.control.log().filter((e) => e.path.startsWith('/api'));
}

/** No credential anywhere in what a user can see: msg, statuses, log lines. */
function assertNoSecret(things, password = PASSWORD) {
  const seen = JSON.stringify(things, (_k, v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
  const basic = Buffer.from(`Admin:${password}`).toString('base64');
  if (seen.includes(password) || seen.includes('Basic ') || seen.includes(basic)) {
    throw new Error(`a credential appears in: ${seen.slice(0, 500)}`);
  }
}

/** Everything Node-RED logged during the test (its log calls). */
function logLines() {
  return helper.log().args.map((a) => a[0]);
}

/** Polls a condition every 20 ms, up to 10 s: for waiting on the simulator's state or log. */
async function waitFor(cond) {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not met within 10 s');
}

module.exports = { useSimulator, waitFor, helper, flowFor, load, outcome, send, recordStatus, apiLog, assertNoSecret, logLines, CREDENTIALS, PASSWORD, SIM_USERS };
