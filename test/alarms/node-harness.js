'use strict';
/**
 * Runs a `mediant-alarms-poll` node in node-red-node-test-helper with a
 * persistent `localfilesystem` context store, for the alarm tests.
 *
 * The helper itself initialises Node-RED's context with the in-memory store
 * only (it never calls the context module's `load()`), and its `unload()`
 * wipes every context. So the store is set up here through the runtime's
 * context module as Node-RED does at start-up (`init(settings)` then
 * `load()`), before the flow with the poll node is deployed. A restart of
 * Node-RED is then: stop the flows (nodes closed, their context kept), close
 * the store (which writes it to its files), open a new store on the same
 * directory (which reads them back), start the flows (new node objects).
 */
const helper = require('node-red-node-test-helper');

helper.init(require.resolve('node-red'));

const deviceNode = require('../../nodes/mediant-device.js');
const pollNode = require('../../nodes/mediant-alarms-poll.js');
const catchNode = require('@node-red/nodes/core/common/25-catch.js');
const completeNode = require('@node-red/nodes/core/common/24-complete.js');

const PASSWORD = 'Al4rm-Pa55-v8k';
const CREDENTIALS = { dev1: { username: 'Admin', password: PASSWORD } };
const SIM_USERS = [{ username: 'Admin', password: PASSWORD, privilege: 'securityAdmin' }];

/** The device, the poll node (wired to `out`), a Catch and a Complete node scoped to it. */
function flowFor(sim, props) {
  const nodes = [
    { id: 'dev1', type: 'mediant-device', name: 'lab-sbc', host: '127.0.0.1', port: String(sim.port), protocol: 'http', tls: '', timeout: 5000, conflictRetry: 0 },
    { id: 'poll1', type: 'mediant-alarms-poll', device: 'dev1', name: '', alarmType: 'active', pollInterval: 0, emitExisting: true, output: 'events', wires: [['out']], ...props },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: ['poll1'], uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
    { id: 'completer', type: 'complete', scope: ['poll1'], uncaught: false, wires: [['completed']] },
    { id: 'completed', type: 'helper' },
  ];
  // On a tab: scoped Catch and Complete nodes outside one would be taken for config nodes.
  return [{ id: 'tab1', type: 'tab', label: 'alarms' }, ...nodes.map((n) => (n.id === 'dev1' ? n : { z: 'tab1', ...n }))];
}

const MODULES = [deviceNode, pollNode, catchNode, completeNode];

function storeSettings(dir) {
  // flushInterval is irrelevant here: closing the store writes it.
  return { contextStorage: { default: { module: 'localfilesystem', config: { dir, cache: true, flushInterval: 3600 } } } };
}

/** Deploy `flow` with the default context store persisted under `dir` (or in memory without one). */
async function load(flow, dir) {
  helper.settings(dir ? storeSettings(dir) : {});
  await helper.load(MODULES, [], CREDENTIALS);
  if (dir) await helper._context.load();
  await helper.setFlows(flow, 'full', CREDENTIALS);
}

/** Stop Node-RED's flows and its context store, then start both again from the store's files. */
async function restart() {
  const before = helper.getNode('poll1');
  await helper._redNodes.stopFlows();
  await helper._context.close();
  helper._context.init(helper.settings());
  await helper._context.load();
  await helper._redNodes.startFlows();
  const after = helper.getNode('poll1');
  if (!after || after === before) throw new Error('the flows did not start again with a new poll node');
}

/** Lets messages already sent reach their helper nodes (Node-RED delivers on setImmediate). */
async function settle() {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

let seq = 0;

/**
 * Sends a message to the poll node and resolves, once the node has called
 * done, with the messages it sent for that message; rejects with the Catch
 * node's msg when the poll failed.
 */
async function pollOnce(extra = {}) {
  const id = `poll-${++seq}`;
  const out = helper.getNode('out');
  const sent = [];
  const onOut = (m) => {
    if (m.pollId === id) sent.push(m);
  };
  out.on('input', onOut);
  try {
    await new Promise((resolve, reject) => {
      // Only so that a broken node fails the test instead of hanging it.
      const guard = setTimeout(() => {
        cleanup();
        reject(new Error(`the poll node neither completed nor failed message ${id}`));
      }, 20000);
      const completed = helper.getNode('completed');
      const caught = helper.getNode('caught');
      const onDone = (m) => {
        if (m.pollId !== id) return;
        cleanup();
        resolve();
      };
      const onCaught = (m) => {
        if (m.pollId !== id) return;
        cleanup();
        const err = new Error(m.error && m.error.message);
        err.msg = m;
        reject(err);
      };
      function cleanup() {
        clearTimeout(guard);
        completed.removeListener('input', onDone);
        caught.removeListener('input', onCaught);
      }
      completed.on('input', onDone);
      caught.on('input', onCaught);
      helper.getNode('poll1').receive({ pollId: id, ...extra });
    });
    await settle();
    return sent;
  } finally {
    out.removeListener('input', onOut);
  }
}

/** The poller interface of model.test.js, through the node. */
async function nodePoller(sim, alarmType, dir) {
  await load(flowFor(sim, { alarmType }), dir);
  return {
    alarmType,
    async poll() {
      const msgs = await pollOnce();
      return msgs.map((m) => ({ event: m.event, alarm: m.payload }));
    },
    restart,
    unload: () => helper.unload(),
  };
}

module.exports = {
  helper,
  MODULES,
  PASSWORD,
  CREDENTIALS,
  SIM_USERS,
  flowFor,
  load,
  restart,
  settle,
  pollOnce,
  nodePoller,
  startServer: () => helper.startServer(),
  stopServer: () => helper.stopServer(),
};

/**
 * A fleet: devices sbc-0 … sbc-<n-1> (one simulator each) and one poll node
 * watching them all (deviceFrom "all"), wired as in flowFor.
 */
function fleetFlowFor(sims, props = {}) {
  const devices = sims.map((sim, i) => ({ id: `dev${i}`, type: 'mediant-device', name: `sbc-${i}`, host: '127.0.0.1', port: String(sim.port), protocol: 'http', tls: '', timeout: 5000, conflictRetry: 0 }));
  const flow = flowFor(sims[0], { device: '', deviceFrom: 'all', ...props }).filter((n) => n.id !== 'dev1');
  return [...flow, ...devices];
}

const fleetCredentials = (sims) => Object.fromEntries(sims.map((_s, i) => [`dev${i}`, { username: 'Admin', password: PASSWORD }]));

/**
 * Sends a message to the fleet's poll node (a poll of every device) and
 * resolves, once the node has called done, with the messages it sent and the
 * error it reported (undefined when every device's poll succeeded).
 */
async function pollFleetOnce() {
  const id = `poll-${++seq}`;
  const out = helper.getNode('out');
  const sent = [];
  const onOut = (m) => {
    if (m.pollId === id) sent.push(m);
  };
  out.on('input', onOut);
  try {
    const error = await new Promise((resolve, reject) => {
      const guard = setTimeout(() => {
        cleanup();
        reject(new Error(`the poll node neither completed nor failed message ${id}`));
      }, 60000);
      const completed = helper.getNode('completed');
      const caught = helper.getNode('caught');
      const onDone = (m) => {
        if (m.pollId !== id) return;
        cleanup();
        resolve(undefined);
      };
      const onCaught = (m) => {
        if (m.pollId !== id) return;
        cleanup();
        resolve(m.error);
      };
      function cleanup() {
        clearTimeout(guard);
        completed.removeListener('input', onDone);
        caught.removeListener('input', onCaught);
      }
      completed.on('input', onDone);
      caught.on('input', onCaught);
      helper.getNode('poll1').receive({ pollId: id });
    });
    await settle();
    return { sent, error };
  } finally {
    out.removeListener('input', onOut);
  }
}

/** Deploy the fleet flow with the default context store persisted under `dir`. */
async function loadFleet(sims, dir, props) {
  helper.settings(storeSettings(dir));
  await helper.load(MODULES, [], fleetCredentials(sims));
  await helper._context.load();
  await helper.setFlows(fleetFlowFor(sims, props), 'full', fleetCredentials(sims));
}

module.exports.fleetFlowFor = fleetFlowFor;
module.exports.pollFleetOnce = pollFleetOnce;
module.exports.loadFleet = loadFleet;
